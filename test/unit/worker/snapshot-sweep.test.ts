// A worker that stopped while making a memory snapshot leaves `<snapshot>.making-<worker>` beside
// the image. At its next start (restore: snapshot) it deletes its own, and only its own: another
// worker may be making one right now. Real directories; libvirt is a stand-in with no domains.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Libvirt } from '../../../worker/executor/vm/libvirt.js';
import { createVmExecutor } from '../../../worker/executor/vm/vm-executor.js';
import { captureLogger } from '../../support/worker-build-spec.js';

const noDomains: Libvirt = { kind: 'virsh', uri: 'test:///none', createTransient: async () => {}, resume: async () => {}, destroy: async () => {}, listRunning: async () => [], close: async () => {} };

describe('half-made snapshots at worker start', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function imageWithSnapshots(names: string[]): { root: string; snapshots: string } {
    const root = mkdtempSync(path.join(tmpdir(), 'gatehouse-snapshot-sweep-'));
    roots.push(root);
    for (const file of ['disk.qcow2', 'kernel', 'initrd.img']) writeFileSync(path.join(root, file), '');
    const snapshots = path.join(root, 'snapshot');
    for (const name of names) {
      mkdirSync(path.join(snapshots, name), { recursive: true });
      writeFileSync(path.join(snapshots, name, 'state.sav'), 'partial');
    }
    return { root, snapshots };
  }

  function startWorker(root: string, restore: 'snapshot' | 'boot') {
    const logger = captureLogger();
    const executor = createVmExecutor({
      worker: 'w1',
      images: { deb: { arch: 'x86_64', disk: path.join(root, 'disk.qcow2'), kernel: path.join(root, 'kernel'), initrd: path.join(root, 'initrd.img') } },
      imagesDir: root,
      dir: path.join(root, 'vm'),
      workRoot: path.join(root, 'work'),
      libvirtUri: noDomains.uri,
      libvirt: noDomains,
      domainType: 'qemu',
      bootTimeoutMs: 1000,
      logger,
      restore,
    });
    return { executor, logger };
  }

  it("deletes the worker's own .making- folders and keeps finished snapshots and other workers' ones", async () => {
    const { root, snapshots } = imageWithSnapshots(['disk-1024m-1c', 'disk-1024m-1c.making-w1', 'disk-2048m-2c-net.making-w1', 'disk-1024m-1c.making-w1-b5', 'disk-1024m-1c.making-w2']);
    const { executor, logger } = startWorker(root, 'snapshot');
    await executor.ready;
    await executor.close();
    expect(readdirSync(snapshots).sort()).toEqual(['disk-1024m-1c', 'disk-1024m-1c.making-w1-b5', 'disk-1024m-1c.making-w2']);
    expect(logger.lines.join('\n')).toContain(`removed half-made snapshots of an earlier run: ${path.join(snapshots, 'disk-1024m-1c.making-w1')}, ${path.join(snapshots, 'disk-2048m-2c-net.making-w1')}`);
  });

  it('starts when the image has no snapshot folder, and leaves snapshots alone when builds are not restored', async () => {
    const bare = imageWithSnapshots([]);
    const first = startWorker(bare.root, 'snapshot');
    await first.executor.ready;
    await first.executor.close();
    expect(existsSync(bare.snapshots)).toBe(false);

    const { root, snapshots } = imageWithSnapshots(['disk-1024m-1c.making-w1']);
    const second = startWorker(root, 'boot');
    await second.executor.ready;
    await second.executor.close();
    expect(readdirSync(snapshots)).toEqual(['disk-1024m-1c.making-w1']);
  });
});
