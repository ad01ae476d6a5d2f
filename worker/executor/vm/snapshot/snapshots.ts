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
  /** Architectures whose restore caveat was said (once per worker run). */
  const warned = new Set<string>();

  async function find(image: VmImage, shape: VmShape): Promise<Snapshot> {
    const ctx = options.boot();
    hypervisor ??= hypervisorVersion(ctx.libvirt.uri);
    const version = await hypervisor.catch((error: Error) => {
      hypervisor = undefined;
      throw error;
    });
    const caveat = restoreCaveat(image.arch, ctx.domainType, version);
    if (caveat && !warned.has(image.arch)) {
      warned.add(image.arch);
      options.logger.warn(caveat);
    }
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

/**
 * Why restores of this architecture may go wrong on this host, if they may: QEMU before 8.2 does
 * not carry the pseries decrementer over a restore under TCG (KVM keeps it itself), so a restored
 * ppc64le guest can get no timer interrupt at all, quiet host or not (restore-vm.ts,
 * AGENT_TIMEOUT_MS). The restore agent has the timers reprogrammed, which brought back every
 * such guest seen here, but it is a repair after the fact.
 * `hypervisor` is hypervisorVersion's text ("... Running hypervisor: QEMU 7.2.22").
 */
export function restoreCaveat(arch: VmImage['arch'], domainType: 'kvm' | 'qemu', hypervisor: string): string | undefined {
  if (arch !== 'ppc64le' || domainType !== 'qemu') return undefined;
  const m = /QEMU (\d+)\.(\d+)/.exec(hypervisor);
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > 8 || (major === 8 && minor >= 2)) return undefined;
  return `restoring ppc64le guests under TCG wants QEMU 8.2 or later (this host has ${major}.${minor}): older QEMU does not carry the pseries decrementer over a restore, so a restored guest can be left without timer interrupts, quiet host or not; the restore agent has them reprogrammed, and a restore that still does not answer makes its build cold-boot and the snapshot be made again; vm.restore 'boot' avoids it, as does a newer QEMU`;
}
