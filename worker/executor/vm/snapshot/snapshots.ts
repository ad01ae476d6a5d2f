// The snapshots a worker restores builds from: found on disk, or made on the first use of an image
// version and VM shape. One making at a time per snapshot within a worker (builds that ask
// meanwhile wait for it); across workers, make-snapshot.ts's rename keeps one. A snapshot saved by
// another libvirt/QEMU or over another image disk is deleted and made again.
import type { Logger } from '../../../../shared/logger.js';
import type { BootContext } from '../boot-vm.js';
import { snapshotDomainName } from '../leftovers.js';
import { abortable } from '../ssh-session.js';
import type { VmImage } from '../vm-image.js';
import { hypervisorVersion, makeSnapshot } from './make-snapshot.js';
import { deleteSnapshot, readSnapshot, type Snapshot, snapshotDir, staleReason, type VmShape } from './snapshot-store.js';

export interface Snapshots {
  /**
   * The snapshot for this image and shape, made now when there is none (a boot and a save: as long
   * as a cold boot, once). A cancelled build stops waiting; the making goes on for the next build.
   */
  get(image: VmImage, shape: VmShape, signal: AbortSignal): Promise<Snapshot>;
  /** Delete a snapshot that could not be restored, so that the next build makes it again. */
  discard(snapshot: Snapshot): Promise<void>;
}

export interface SnapshotsOptions {
  worker: string;
  logger: Logger;
  /** How VMs start; its `dir` is the worker's VM directory (where the agent's socket goes). */
  boot: () => Omit<BootContext, 'signal'>;
}

export function createSnapshots(options: SnapshotsOptions): Snapshots {
  const making = new Map<string, Promise<Snapshot>>();
  let seq = 0;
  let hypervisor: Promise<string> | undefined;

  async function find(image: VmImage, shape: VmShape): Promise<Snapshot> {
    const ctx = options.boot();
    hypervisor ??= hypervisorVersion(ctx.libvirt.uri);
    const version = await hypervisor.catch((error: Error) => {
      hypervisor = undefined;
      throw error;
    });
    const dir = snapshotDir(image, shape);
    const found = await readSnapshot(dir);
    if (found) {
      const stale = await staleReason(found, image, version);
      if (!stale) return found;
      options.logger.warn(`snapshot ${dir} is deleted: ${stale}`);
      await deleteSnapshot(dir);
    }
    const started = Date.now();
    const made = await makeSnapshot({ name: snapshotDomainName(options.worker, ++seq), worker: options.worker, image, shape, hypervisor: version }, ctx);
    options.logger.info(`made snapshot ${dir} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return made;
  }

  return {
    get(image, shape, signal) {
      const dir = snapshotDir(image, shape);
      let pending = making.get(dir);
      if (!pending) {
        pending = find(image, shape).finally(() => making.delete(dir));
        making.set(dir, pending);
      }
      return abortable(pending, signal);
    },
    async discard(snapshot) {
      await deleteSnapshot(snapshot.dir);
    },
  };
}
