// The image lifecycle for one host, as `gatehouse images` and the worker run it: build a version,
// verify it (boot, host key, smoke) which switches builds to it, prune old ones, and the schedule
// (at start and hourly: rebuild the families whose newest version is older than `rebuildEvery`,
// then prune). One operation at a time per process.
import path from 'node:path';
import type { Config } from '../../shared/config.js';
import type { ImageFamilyReport } from '../../shared/protocol.js';
import { connectLibvirt } from '../executor/vm/connect-libvirt.js';
import type { Libvirt } from '../executor/vm/libvirt.js';
import { imagesDirOf } from '../executor/vm/vm-executor-from-config.js';
import type { Logger } from '../../shared/logger.js';
import { buildImageVersion } from './build-image-version.js';
import { rebuildDue } from './image-lifecycle.js';
import { imageReport } from './image-report.js';
import type { ImageFamilyConfig } from './image-source.js';
import { readFamilyState } from './image-store.js';
import { disksInUse, pruneImageVersions, workerVmDirs } from './prune-image-versions.js';
import { smokeCommandsFor, type Verification, verifyImageVersion } from './verify-image-version.js';
import type { PrunePlan } from './image-lifecycle.js';

export type ImagesConfig = Pick<Config, 'dataDir' | 'images' | 'vm' | 'builders'>;

export interface ImageMaintenanceOptions {
  config: ImagesConfig;
  /** Verify VMs are gatehouse-<worker>-v<n>, their overlays under <dataDir>/worker/<worker>/vm. */
  worker: string;
  logger: Logger;
  now?: () => number;
  /** Use this connection (tests); else vm.libvirtUri is dialed on the first verify. */
  libvirt?: Libvirt;
  /** After any change of state (a new version, a switch, a prune). */
  onChange?: () => void;
  /** Progress of image builds (default: the logger, at debug). */
  onBuildOutput?: (text: string) => void;
}

export interface ImageMaintenance {
  readonly imagesDir: string;
  /** Build a new version, then verify it (which makes it current when it passes). */
  build(family: string): Promise<{ version: string; buildSeconds: number; verification: Verification }>;
  /** Verify a version (default: the newest candidate). */
  verify(family: string, version?: string): Promise<{ version: string; verification: Verification }>;
  prune(family: string): Promise<PrunePlan>;
  /** The families with a `build` section whose rebuild is due now. */
  due(): Promise<string[]>;
  /** Rebuild what is due, then prune every versioned family; errors are logged, not thrown. */
  runSchedule(): Promise<void>;
  report(): Promise<ImageFamilyReport[]>;
  close(): Promise<void>;
}

const RETRY_FAILED_BUILD_MS = 24 * 3_600_000;

export function createImageMaintenance(options: ImageMaintenanceOptions): ImageMaintenance {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const imagesDir = imagesDirOf(config);
  let libvirt: Libvirt | undefined = options.libvirt;
  const lastFailure = new Map<string, number>();
  /** Aborted by close(): a running image build is stopped rather than waited for. */
  const stopping = new AbortController();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };

  const family = (name: string): ImageFamilyConfig => {
    const found = config.images[name];
    if (!found) throw new Error(`no image named "${name}" in the config (it has: ${Object.keys(config.images).join(', ') || 'none'})`);
    return found;
  };

  async function verify(name: string, version?: string) {
    const image = family(name);
    const state = await readFamilyState(imagesDir, name);
    const target = version ?? [...state.versions].reverse().find((v) => v.state === 'candidate')?.name;
    if (!target) throw new Error(`image ${name} has no candidate version to verify (build one with \`gatehouse images build --image ${name}\`)`);
    libvirt ??= await connectLibvirt({ uri: config.vm.libvirtUri, onFallback: (reason) => logger.warn(reason) });
    const verification = await verifyImageVersion({
      family: name, config: image, version: target, imagesDir,
      smoke: smokeCommandsFor(name, image, config.builders),
      libvirt, worker: options.worker, dir: path.join(config.dataDir, 'worker', options.worker, 'vm'),
      domainType: config.vm.domainType, bootTimeoutMs: config.vm.bootTimeout, now,
    });
    logger.info(`image ${name}: ${target} ${verification.ok ? `verified (boot ${((verification.bootMs ?? 0) / 1000).toFixed(1)}s, smoke ${((verification.smokeMs ?? 0) / 1000).toFixed(1)}s): builds now use it` : `refused: ${verification.failure}`}`);
    options.onChange?.();
    return { version: target, verification };
  }

  async function build(name: string) {
    const image = family(name);
    if (!image.build) throw new Error(`image ${name} has no build section: its files are used as configured`);
    logger.info(`image ${name}: building a new version`);
    const built = await buildImageVersion({
      family: name, config: image, imagesDir, now, signal: stopping.signal, onOutput: options.onBuildOutput ?? ((t) => logger.debug(t.trimEnd())),
    });
    logger.info(`image ${name}: built ${built.version} in ${built.seconds.toFixed(1)}s; verifying`);
    options.onChange?.();
    const { verification } = await verify(name, built.version);
    return { version: built.version, buildSeconds: built.seconds, verification };
  }

  async function prune(name: string) {
    const plan = await pruneImageVersions({ family: name, config: family(name), imagesDir, now, disksInUse: await disksInUse(await workerVmDirs(config.dataDir)) });
    if (plan.markObsolete.length || plan.remove.length) {
      logger.info(`image ${name}: obsolete now [${plan.markObsolete.join(', ')}], deleted [${plan.remove.join(', ')}]`);
      options.onChange?.();
    }
    return plan;
  }

  async function due() {
    const out: string[] = [];
    for (const [name, image] of Object.entries(config.images)) {
      if (image.build && rebuildDue(await readFamilyState(imagesDir, name), now(), image.rebuildEvery)) out.push(name);
    }
    return out;
  }

  return {
    imagesDir,
    build: (name) => serial(() => build(name)),
    verify: (name, version) => serial(() => verify(name, version)),
    prune: (name) => serial(() => prune(name)),
    due,
    runSchedule: () =>
      serial(async () => {
        let dueNow: string[] = [];
        try {
          dueNow = await due();
        } catch (error) {
          logger.error(`images: cannot tell which rebuilds are due: ${(error as Error).message}`);
        }
        for (const name of dueNow) {
          // A failed build is not retried every hour (a broken recipe, no mirror): once a day at most.
          const failed = lastFailure.get(name);
          if (failed !== undefined && now() - failed < RETRY_FAILED_BUILD_MS) continue;
          await build(name).then(
            () => lastFailure.delete(name),
            (error: Error) => {
              lastFailure.set(name, now());
              logger.error(`image ${name}: scheduled rebuild failed (tried again in a day): ${error.message}`);
            },
          );
        }
        for (const [name, image] of Object.entries(config.images)) {
          if (image.build || image.version) await prune(name).catch((error: Error) => logger.error(`image ${name}: prune failed: ${error.message}`));
        }
        options.onChange?.(); // last-use dates moved with the builds since the last run
      }),
    report: () => imageReport(config.images, imagesDir),
    async close() {
      stopping.abort();
      await queue;
      if (!options.libvirt) await libvirt?.close();
    },
  };
}

/** Run the schedule once `startAfter` settles, then every `everyMs` (default 1 h), until stopped. */
export function scheduleImageMaintenance(maintenance: ImageMaintenance, options: { everyMs?: number; startAfter?: Promise<unknown> } = {}): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    await maintenance.runSchedule().catch(() => {}); // it logs its own failures; a worker must not die of one
    if (!stopped) timer = setTimeout(() => void tick(), options.everyMs ?? 3_600_000);
  };
  const first = (options.startAfter ?? Promise.resolve()).catch(() => {}).then(tick);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await first.catch(() => {});
      await maintenance.close();
    },
  };
}
