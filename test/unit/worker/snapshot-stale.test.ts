// When a snapshot on disk may no longer serve an image (staleReason): saved by another libvirt/QEMU,
// its guest booted without the kernel arguments snapshots now boot with (ppc64le's nohz=off), or
// the image disk changed. Real files for the image disk.
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotKernelArgs } from '../../../worker/executor/vm/snapshot/make-snapshot.js';
import { type Snapshot, staleReason } from '../../../worker/executor/vm/snapshot/snapshot-store.js';
import type { VmImage } from '../../../worker/executor/vm/vm-image.js';

const HYPERVISOR = 'Running against daemon: 9.0.0; Running hypervisor: QEMU 7.2.0';

describe('stale snapshots', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function fixture(arch: VmImage['arch'], cmdline: string): { image: VmImage; snapshot: Snapshot } {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-snapshot-stale-'));
    dirs.push(dir);
    const disk = path.join(dir, 'disk.qcow2');
    writeFileSync(disk, 'disk');
    const { size, mtimeMs } = statSync(disk);
    const image: VmImage = { name: arch, arch, disk, kernel: path.join(dir, 'kernel'), initrd: path.join(dir, 'initrd.img'), hostKeys: [], rootCmdline: 'root=/dev/vda rw' };
    const manifest: Snapshot['manifest'] = { image: arch, arch, machine: 'pseries-7.2', domainType: 'qemu', hypervisor: HYPERVISOR, memoryMiB: 1024, cpus: 2, network: false, cmdline, restoreAgent: true, imageDisk: { path: disk, size, mtimeMs }, createdAt: new Date().toISOString() };
    return { image, snapshot: { dir: path.join(dir, 'snapshot'), stateFile: '', disk: '', manifest, privateKey: '' } };
  }

  it('keeps a snapshot saved here, over this disk, with the kernel arguments of now', async () => {
    for (const arch of ['x86_64', 'ppc64le'] as const) {
      const { image, snapshot } = fixture(arch, `root=/dev/vda rw console=hvc0 gatehouse.key=AAAA ${snapshotKernelArgs(arch)}`);
      expect(await staleReason(snapshot, image, HYPERVISOR, snapshotKernelArgs(arch))).toBeUndefined();
    }
  });

  it('drops a ppc64le snapshot whose guest kept no periodic tick', async () => {
    expect(snapshotKernelArgs('ppc64le')).toContain('nohz=off');
    expect(snapshotKernelArgs('x86_64')).not.toContain('nohz=off');
    const { image, snapshot } = fixture('ppc64le', 'root=/dev/vda rw console=hvc0 gatehouse.key=AAAA init_on_free=1');
    expect(await staleReason(snapshot, image, HYPERVISOR, snapshotKernelArgs('ppc64le'))).toBe('its guest booted without nohz=off');
  });

  it('drops one of another libvirt/QEMU, or over a changed disk', async () => {
    const { image, snapshot } = fixture('x86_64', `root=/dev/vda rw ${snapshotKernelArgs('x86_64')}`);
    expect(await staleReason(snapshot, image, 'QEMU 8.0.0', snapshotKernelArgs('x86_64'))).toMatch(/another libvirt\/QEMU/);
    utimesSync(image.disk, new Date(), new Date(Date.now() + 5000));
    expect(await staleReason(snapshot, image, HYPERVISOR, snapshotKernelArgs('x86_64'))).toBe('the image disk changed since it was saved');
  });
});
