// When a saved snapshot may no longer serve an image: another libvirt/QEMU, another image disk, or
// one made by a gatehouse that put other things in the snapshot's guest (its format). Real files.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SNAPSHOT_FORMAT, type Snapshot, type SnapshotManifest, staleReason } from '../../../worker/executor/vm/snapshot/snapshot-store.js';
import type { VmImage } from '../../../worker/executor/vm/vm-image.js';

const HYPERVISOR = 'libvirt 9.0.0, QEMU 7.2.22';

describe('a snapshot that cannot serve its image any more', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function imageAndSnapshot(manifest: Partial<SnapshotManifest>): { image: VmImage; snapshot: Snapshot } {
    const root = mkdtempSync(path.join(tmpdir(), 'gatehouse-snapshot-stale-'));
    roots.push(root);
    const disk = path.join(root, 'disk.qcow2');
    writeFileSync(disk, 'disk');
    const image: VmImage = { name: 'deb', arch: 'x86_64', disk, kernel: path.join(root, 'kernel'), initrd: path.join(root, 'initrd.img'), hostKeys: [], rootCmdline: 'root=/dev/vda rw' };
    const { size, mtimeMs } = statSync(disk);
    const full: SnapshotManifest = {
      format: SNAPSHOT_FORMAT, image: 'deb', arch: 'x86_64', machine: 'pc-i440fx-7.2', domainType: 'qemu', hypervisor: HYPERVISOR,
      memoryMiB: 1024, cpus: 1, network: false, cmdline: 'gatehouse.key=AAAA', restoreAgent: true, imageDisk: { path: disk, size, mtimeMs }, createdAt: new Date().toISOString(),
      ...manifest,
    };
    const dir = path.join(root, 'snapshot', 'disk-1024m-1c');
    return { image, snapshot: { dir, stateFile: path.join(dir, 'state.sav'), disk: path.join(dir, 'disk.qcow2'), manifest: full, privateKey: '' } };
  }

  it('serves when everything matches', async () => {
    const { image, snapshot } = imageAndSnapshot({});
    expect(await staleReason(snapshot, image, HYPERVISOR)).toBeUndefined();
  });

  it('is made again when an older gatehouse made it (no format, or another one)', async () => {
    const { format: _, ...withoutFormat } = imageAndSnapshot({}).snapshot.manifest;
    const old = imageAndSnapshot({});
    old.snapshot.manifest = withoutFormat;
    expect(await staleReason(old.snapshot, old.image, HYPERVISOR)).toBe(`it was made by another gatehouse (format 1; now ${SNAPSHOT_FORMAT})`);
    const other = imageAndSnapshot({ format: SNAPSHOT_FORMAT + 1 });
    expect(await staleReason(other.snapshot, other.image, HYPERVISOR)).toContain(`format ${SNAPSHOT_FORMAT + 1}`);
  });

  it('is made again for another libvirt/QEMU or a rebuilt image disk', async () => {
    const { image, snapshot } = imageAndSnapshot({});
    expect(await staleReason(snapshot, image, 'libvirt 10.0.0, QEMU 8.2.0')).toContain('another libvirt/QEMU');
    writeFileSync(image.disk, 'a rebuilt disk');
    expect(await staleReason(snapshot, image, HYPERVISOR)).toBe('the image disk changed since it was saved');
  });
});
