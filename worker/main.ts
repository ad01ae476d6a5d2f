// `gatehouse worker --config FILE --name NAME [--master ws://host:8010]`: load the config, find this
// worker's entry (secret, slots, labels), wire the parts, run until a signal or a refusal.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type Config, loadConfig } from '../shared/config.js';
import { createDefaultExecutors, workerDir, type WorkerExecutors } from './default-executors.js';
import { imageArches } from './executor/vm/vm-executor-from-config.js';
import { createImageMaintenance, scheduleImageMaintenance } from './images/image-maintenance.js';
import { isVersioned } from './images/image-source.js';
import type { ImageFamilyReport } from '../shared/protocol.js';
import { hostArch } from './host-info.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { type RunningWorker, startWorker } from './worker.js';

export interface StartFromConfigOptions {
  /** Which entry of the config's `workers` this process is. */
  name: string;
  /** The master's URL (default: http.publicUrl, else this host at http.port). */
  master?: string;
  /** Default: a logger at GATEHOUSE_LOG_LEVEL (else info) on stdout. */
  logger?: Logger;
  /** Default: the host executor under `<dataDir>/worker/<name>`. */
  executors?: WorkerExecutors;
}

export interface RunWorkerOptions extends StartFromConfigOptions {
  /** The config file (.ts, .mjs, .js or .json). */
  config: string;
  /** Where `{ env: ... }` secrets are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Stop gracefully on SIGINT/SIGTERM, at once on a second one (default true). */
  handleSignals?: boolean;
  /** Stop gracefully when aborted (for `gatehouse up` and tests). */
  signal?: AbortSignal;
}

/** Runs a worker until SIGINT/SIGTERM or `signal` (resolves) or until the master refuses it (rejects with WorkerRefusedError). */
export async function runWorkerFromConfig(options: RunWorkerOptions): Promise<void> {
  const loaded = await loadConfig(options.config, { forWorker: options.name, ...(options.env ? { env: options.env } : {}) });
  const logger = (options.logger ?? createLogger()).child({ worker: options.name });
  const worker = await startWorkerFromConfig(loaded.config, { ...options, logger });
  const stop = () => void worker.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.handleSignals === false) return worker.stopped.finally(() => options.signal?.removeEventListener('abort', stop));

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'signalled again: exiting without waiting for the builds');
      process.exit(1);
    }
    logger.info({ signal }, 'stopping: cancelling running builds (their always-steps still run); signal again to exit at once');
    void worker.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await worker.stopped;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    options.signal?.removeEventListener('abort', stop);
  }
}

/** Start the worker named in an already loaded config: for `gatehouse up`, which runs master and worker in one process. */
export async function startWorkerFromConfig(config: Config, options: StartFromConfigOptions): Promise<RunningWorker> {
  const entry = config.workers.find((w) => w.name === options.name);
  if (!entry) throw new Error(`the config has no worker named "${options.name}" (known: ${config.workers.map((w) => w.name).join(', ') || 'none'})`);
  const logger = options.logger ?? createLogger().child({ worker: entry.name });
  // Work directories left by an earlier process of this worker belong to builds that died with it.
  await rm(path.join(workerDir(config.dataDir, entry.name), 'work'), { recursive: true, force: true });
  const executors = options.executors ?? createDefaultExecutors(config.dataDir, entry.name, { config, logger: logger.child({ part: 'executor' }) });
  // Image versions: reported to the master; families with `build` are rebuilt on their schedule and pruned.
  let imageVersions: ImageFamilyReport[] = [];
  let reportImages: (report: ImageFamilyReport[]) => void = () => {};
  const maintenance = Object.keys(config.images).length
    ? createImageMaintenance({ config, worker: entry.name, logger: logger.child({ part: 'images' }), onChange: () => void maintenance?.report().then((r) => reportImages((imageVersions = r)), () => {}) })
    : undefined;
  if (maintenance) imageVersions = await maintenance.report().catch(() => []);
  // After the VM executor's start-up sweep, which would take a verify VM for a leftover.
  const vmReady = executors.vm?.ready ?? Promise.resolve();
  const schedule = maintenance && Object.values(config.images).some(isVersioned) ? scheduleImageMaintenance(maintenance, { startAfter: vmReady }) : undefined;
  const worker = startWorker({
    name: entry.name,
    secret: entry.secret,
    masterUrl: options.master ?? masterUrlFromConfig(config),
    slots: entry.slots,
    labels: entry.labels,
    dataDir: config.dataDir,
    executors,
    images: Object.keys(config.images),
    imageVersions: () => imageVersions,
    arch: [...new Set([hostArch(), ...imageArches(config)])], // TCG runs the images of other architectures
    logger,
  });
  reportImages = (report) => worker.reportImages(report);
  void worker.stopped.catch(() => {}).finally(() => (schedule?.stop() ?? maintenance?.close())?.catch(() => {}));
  // Pooled VMs go with the worker; after a crash the next start sweeps them.
  void worker.stopped.catch(() => {}).finally(() => executors.vm?.close?.().catch(() => {}));
  return worker;
}

/** Where a worker finds the master when not told: its public URL, else the local port. */
export function masterUrlFromConfig(config: { http: Pick<Config['http'], 'port' | 'host' | 'publicUrl'> }): string {
  if (config.http.publicUrl) return config.http.publicUrl;
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  return `ws://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}
