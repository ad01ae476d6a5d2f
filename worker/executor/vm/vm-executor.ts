// The `vm` executor: every build in a throwaway libvirt VM, reached over SSH.
//   prepare: a VM from the warm pool, else a fresh one (a VM that does not come up is retried once
//            on another fresh VM; then the build errors with the console's tail), then the source
//            streamed in as a tarball.
//   runStep: uploads over SFTP, the step under setsid; timeout and cancel kill its process group.
//   collect: regular files in the work directory, over SFTP.
//   cleanup: destroy the domain, delete the overlay and console log (the key was only in memory).
// At start it destroys this worker's leftover domains and overlays (a crash), then fills the pool.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BuildSpec, StepSpec, VmSpec } from '../../../shared/protocol.js';
import type { Logger } from '../../../shared/logger.js';
import type { SourceCache } from '../../source-cache.js';
import type { CollectedFile, Executor, RunStepOptions, StepOutcome, Workspace } from '../executor.js';
import { type BootRequest, bootVm, type RunningVm, VmBootError } from './boot-vm.js';
import { FIRST_STEP_KEY, GUEST_WORKDIR } from './guest-paths.js';
import { collectFiles, uploadTree, writeStreamedFiles, writeUploads } from './guest-files.js';
import { connectLibvirt } from './connect-libvirt.js';
import type { Libvirt } from './libvirt.js';
import { buildDomainName, poolDomainName, removeLeftovers } from './leftovers.js';
import { restoreVm, SnapshotRestoreError } from './snapshot/restore-vm.js';
import { createSnapshots, type Snapshots } from './snapshot/snapshots.js';
import { removeHalfMadeSnapshots } from './snapshot/snapshot-store.js';
import { runRemoteStep } from './remote-step.js';
import { isLocalUri, kvmDeviceWarning } from './kvm-device.js';
import { type PoolEntry, WarmPool } from './warm-pool.js';
import type { VmImage, VmImageConfig } from './vm-image.js';
import { type ImageSource, staticImageSource } from '../../images/image-source.js';

export interface VmExecutorOptions {
  /** This worker's name: domains are gatehouse-<worker>-…, and only those are swept at start. */
  worker: string;
  images: Record<string, VmImageConfig>;
  /** Relative image paths are resolved against it. */
  imagesDir: string;
  /** Asked at every boot which files an image name stands for (a family's current version); default: `images`, fixed. */
  imageSource?: ImageSource;
  /** This worker's own directory for overlays and console logs (swept at start). */
  dir: string;
  /** Host-side scratch for checkouts before they are streamed in. */
  workRoot: string;
  sourceCache?: SourceCache;
  libvirtUri: string;
  domainType: 'kvm' | 'qemu';
  bootTimeoutMs: number;
  /** Ready VMs per image (default none). */
  warmPool?: Array<Omit<PoolEntry, 'memoryMiB' | 'cpus' | 'network'> & Partial<PoolEntry>>;
  logger: Logger;
  /** Between SIGTERM and SIGKILL of a stopped step (default 5 s). */
  killGraceMs?: number;
  /** Use this connection instead of dialing libvirtUri (tests). */
  libvirt?: Libvirt;
  /** Boots per build before it errors (default 2: one retry). */
  bootAttempts?: number;
  /** `snapshot`: restore builds' VMs from a memory snapshot of the image (made on first use); `boot` (default): cold-boot them. */
  restore?: 'snapshot' | 'boot';
}

export interface VmWorkspace extends Workspace {
  vm: RunningVm;
  steps: number;
  /** Said in the build's log before the first step: why a build meant to be restored was cold-booted. */
  startNote?: string;
}

export interface VmExecutor extends Executor<VmWorkspace> {
  readonly kind: 'vm';
  /** Settles once leftovers are swept (rejects when libvirt is unreachable). */
  readonly ready: Promise<void>;
  readonly pool: WarmPool | undefined;
  /** Destroy the pooled VMs and close the libvirt connection. Running builds keep their VMs until their cleanup. */
  close(): Promise<void>;
}

export const POOL_DEFAULTS = { memoryMiB: 2048, cpus: 2, network: false };

export function createVmExecutor(options: VmExecutorOptions): VmExecutor {
  const { logger } = options;
  const images = options.imageSource ?? staticImageSource(options.images, options.imagesDir);
  let libvirt: Libvirt | undefined = options.libvirt;
  let poolSeq = 0;
  let pool: WarmPool | undefined;

  const bootContext = (signal?: AbortSignal) => ({ libvirt: libvirt as Libvirt, dir: options.dir, domainType: options.domainType, bootTimeoutMs: options.bootTimeoutMs, ...(signal ? { signal } : {}) });
  const boot = (request: BootRequest, signal?: AbortSignal) => bootVm(request, bootContext(signal));
  const snapshots: Snapshots | undefined =
    options.restore === 'snapshot' ? createSnapshots({ worker: options.worker, logger, boot: () => ({ libvirt: libvirt as Libvirt, dir: options.dir, domainType: options.domainType, bootTimeoutMs: options.bootTimeoutMs }) }) : undefined;

  const ready = (async () => {
    libvirt ??= await connectLibvirt({ uri: options.libvirtUri, onFallback: (reason) => logger.warn(reason) });
    const kvm = isLocalUri(options.libvirtUri) ? kvmDeviceWarning() : undefined;
    if (kvm) logger.warn(kvm);
    await mkdir(options.dir, { recursive: true });
    await chmod(options.dir, 0o711); // qemu runs as another user (libvirt-qemu) and must reach the overlays
    const swept = await removeLeftovers(libvirt, options.worker, options.dir);
    if (swept.domains.length || swept.files.length) {
      logger.warn(`removed leftovers of an earlier run: domains [${swept.domains.join(', ')}], files [${swept.files.join(', ')}]`);
    }
    if (snapshots) {
      for (const name of images.names()) {
        const image = await images.resolve(name).catch(() => undefined); // no current version yet: nothing was made
        const halfMade = image ? await removeHalfMadeSnapshots(image, options.worker) : [];
        if (halfMade.length) logger.warn(`removed half-made snapshots of an earlier run: ${halfMade.join(', ')}`);
      }
    }
    const entries = (options.warmPool ?? []).filter((e) => e.size > 0).map((e) => ({ ...POOL_DEFAULTS, ...e }));
    for (const entry of entries) if (!images.names().includes(entry.image)) throw new Error(`warm pool: no image named "${entry.image}"`);
    if (entries.length) {
      pool = new WarmPool({
        entries,
        logger,
        boot: async (entry, signal) => boot({ name: poolDomainName(options.worker, ++poolSeq), image: await images.resolve(entry.image), memoryMiB: entry.memoryMiB, cpus: entry.cpus, network: entry.network }, signal),
      });
      pool.fill();
    }
    logger.info(`vm executor ready (libvirt ${libvirt.kind} at ${libvirt.uri}, domain type ${options.domainType}, images: ${images.names().join(', ') || 'none'})`);
  })();
  ready.catch(() => {}); // reported by the first prepare

  /** A VM restored from the image's snapshot, or why it was not (the build then cold-boots). */
  async function restoredVm(from: Snapshots, build: BuildSpec, spec: VmSpec, image: VmImage, signal: AbortSignal): Promise<{ vm: RunningVm } | { note: string }> {
    let snapshot;
    try {
      snapshot = await from.get(image, { memoryMiB: spec.memoryMiB, cpus: spec.cpus, network: spec.network }, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      logger.warn(`build ${build.buildId}: no snapshot of image ${image.name}: ${(error as Error).message}`);
      return { note: `no snapshot of image ${image.name} could be made (${(error as Error).message}); cold-booting` };
    }
    try {
      return { vm: await restoreVm({ name: buildDomainName(options.worker, build.buildId, 0), image, memoryMiB: spec.memoryMiB, cpus: spec.cpus, network: spec.network }, snapshot, bootContext(signal)) };
    } catch (error) {
      if (signal.aborted) throw error;
      const message = (error as Error).message;
      if (error instanceof SnapshotRestoreError) {
        await from.discard(snapshot).catch((e: Error) => logger.warn(`deleting snapshot ${snapshot.dir}: ${e.message}`));
        logger.warn(`build ${build.buildId}: ${message}; snapshot ${snapshot.dir} deleted, cold-booting`);
        return { note: `the snapshot of image ${image.name} could not be restored (${message}); it was deleted, cold-booting` };
      }
      logger.warn(`build ${build.buildId}: ${message}; cold-booting`);
      return { note: `the VM restored from the snapshot of image ${image.name} failed (${message}); cold-booting` };
    }
  }

  async function freshVm(build: BuildSpec, spec: VmSpec, image: VmImage, signal: AbortSignal): Promise<RunningVm> {
    const attempts = options.bootAttempts ?? 2;
    const failures: string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        return await boot({ name: buildDomainName(options.worker, build.buildId, attempt), image, memoryMiB: spec.memoryMiB, cpus: spec.cpus, network: spec.network }, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const message = (error as Error).message;
        failures.push(message);
        logger.warn(`build ${build.buildId}: ${message}${attempt < attempts ? '; retrying on a fresh VM' : ''}`);
        if (attempt >= attempts) {
          const consoleText = error instanceof VmBootError && error.console ? `\n--- console of the last VM (tail) ---\n${error.console}` : '';
          const earlier = failures.length > 1 ? ` (${failures.length} VMs tried; first: ${failures[0]})` : '';
          throw new VmBootError(`${message}${earlier}${consoleText}`, error instanceof VmBootError ? error.console : '');
        }
      }
    }
  }

  return {
    kind: 'vm',
    ready,
    get pool() {
      return pool;
    },

    async prepare(build: BuildSpec, signal: AbortSignal): Promise<VmWorkspace> {
      await ready;
      const spec = build.vm;
      if (!spec) throw new Error('the build has no vm section');
      const image = await images.resolve(spec.image);
      // A warm VM of another version (booted before a switch) is not handed out.
      const pooled = pool?.take(spec.image, spec, (vm) => vm.image.disk === image.disk);
      if (pooled) logger.info(`build ${build.buildId}: on warm VM ${pooled.name}`);
      const asked = Date.now();
      let startNote: string | undefined;
      let vm = pooled;
      if (!vm && snapshots) {
        const restored = await restoredVm(snapshots, build, spec, image, signal);
        if ('vm' in restored) vm = restored.vm;
        else startNote = restored.note;
      }
      vm ??= await freshVm(build, spec, image, signal);
      const used = Date.now();
      // How the VM was had and how long it took: the master's VM start metric.
      const start = { start: pooled ? ('pool' as const) : vm.startedFrom === 'snapshot' ? ('restore' as const) : ('boot' as const), startMs: pooled ? 0 : used - asked };
      images.used(vm.image, used).catch((error: Error) => logger.warn(`build ${build.buildId}: recording the use of image ${vm.image.name}: ${error.message}`));
      try {
        if (build.source) {
          if (!options.sourceCache) throw new Error('this worker has no source cache configured, and the build needs a checkout');
          await mkdir(options.workRoot, { recursive: true });
          const dir = await mkdtemp(path.join(options.workRoot, `build-${build.buildId}-`));
          try {
            await options.sourceCache.checkout(build.source, dir, signal);
            await uploadTree(vm.session, dir);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }
      } catch (error) {
        await vm.destroy().catch((e: Error) => logger.warn(`build ${build.buildId}: destroying ${vm.name}: ${e.message}`));
        throw error;
      }
      return { buildId: build.buildId, dir: GUEST_WORKDIR, vm, steps: 0, ...(startNote ? { startNote } : {}), image: { image: vm.image.name, ...(vm.image.version ? { version: vm.image.version } : {}), at: used, ...start } };
    },

    async runStep(workspace: VmWorkspace, step: StepSpec, run: RunStepOptions): Promise<StepOutcome> {
      const { vm } = workspace;
      if (workspace.steps++ === 0) {
        const t = vm.timings;
        if (workspace.startNote) await run.onOutput('header', `gatehouse: ${workspace.startNote}\n`);
        const started = vm.startedFrom === 'snapshot' ? 'restored from a snapshot' : 'booted';
        await run.onOutput('header', `gatehouse: VM ${vm.name} (image ${vm.image.name}, ${vm.image.arch}, ${vm.request.cpus} vCPU, ${vm.request.memoryMiB} MiB, network ${vm.request.network ? 'on' : 'off'})${vm.image.version ? `, image version ${vm.image.version}` : ''}; ${started} in ${(t.totalMs / 1000).toFixed(1)}s${t.phases ? ` (${t.phases.map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)}s`).join(', ')})` : ''}\n`);
      }
      if (step.upload?.length) await writeUploads(vm.session, step.upload);
      if (run.files?.length) await writeStreamedFiles(vm.session, run.files);
      if (step.run === undefined) return { exitCode: 0, timedOut: false, cancelled: false };
      const prepared = vm.takeFirstStep();
      return runRemoteStep(
        vm.session,
        step.run,
        {
          ...run,
          key: prepared ? FIRST_STEP_KEY : `${workspace.steps}-${step.id.replace(/[^A-Za-z0-9.]/g, '_')}`,
          ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
        },
        prepared,
      );
    },

    collect(workspace: VmWorkspace, globs: string[], maxBytes: number): Promise<CollectedFile[]> {
      return collectFiles(workspace.vm.session, globs, maxBytes);
    },

    async cleanup(workspace: VmWorkspace): Promise<void> {
      await workspace.vm.destroy();
    },

    async close() {
      await ready.catch(() => {});
      await pool?.close();
      if (!options.libvirt) await libvirt?.close();
    },
  };
}
