// A worker: one connection to the master, an outbox that outlives the connection, and up to
// `slots` builds at once. Builds keep running while the master is away; their messages wait in the
// outbox (bounded: log output pauses) and go out again after the next welcome.
import { randomUUID } from 'node:crypto';
import type { BuildSpec, ImageFamilyReport } from '../shared/protocol.js';
import type { BackoffOptions } from '../shared/backoff.js';
import { type BuildSink, reportBuildNotRun, runBuild } from './build-runner.js';
import { connectToMaster, createWorkerBackoff } from './connection.js';
import { createDefaultExecutors, missingExecutor, type WorkerExecutors } from './default-executors.js';
import { createArtifactFetcher } from './fetch-artifact.js';
import { masterHttp } from './master-http.js';
import { createArtifactUploader, type UploaderOptions } from './upload-artifact.js';
import { hostArch, packageVersion } from './host-info.js';
import type { Logger } from '../shared/logger.js';
import { Outbox } from './outbox.js';

export type { WorkerExecutors } from './default-executors.js';

export interface WorkerOptions {
  name: string;
  secret: string;
  /** ws://host:8010 (http:// works too). */
  masterUrl: string;
  /** Builds at once. */
  slots: number;
  labels: string[];
  /** Where the default executors keep mirrors and work dirs; needed only without `executors`. */
  dataDir?: string;
  executors?: WorkerExecutors;
  logger: Logger;
  /** VM images available here (default none). */
  images?: string[];
  /** The versions of those images, announced in every hello (default: not announced). */
  imageVersions?: () => ImageFamilyReport[];
  /** Architectures announced (default: this host's, e.g. ["x86_64"]). */
  arch?: string[];
  /** Unacked bytes before step output is paused (default 4 MiB). */
  maxUnackedBytes?: number;
  backoff?: Partial<BackoffOptions>;
  pingIntervalMs?: number;
  /** Timeout of `always` steps without their own (default 10 min). */
  alwaysTimeoutMs?: number;
  /** How long a large artifact's upload is tried again while the master is away. */
  uploads?: UploaderOptions;
}

export interface RunningWorker {
  /** Random per process: the master tells a restart from a reconnect by it. */
  readonly instanceId: string;
  /** Resolves after close(); rejects with WorkerRefusedError when the master refused this worker. */
  readonly stopped: Promise<void>;
  /** Tell the master the images changed (a switch, a prune); dropped while disconnected, the next hello says it. */
  reportImages(imageVersions: ImageFamilyReport[]): void;
  /** Cancel the builds (their `always` steps still run), wait up to graceMs (default 30 s) for them and the acks, disconnect. */
  close(options?: { graceMs?: number }): Promise<void>;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const { name, logger } = options;
  const instanceId = randomUUID();
  const executors = options.executors ?? createDefaultExecutors(required(options.dataDir, 'dataDir or executors'), name, undefined, logger);
  const outbox = new Outbox(options.maxUnackedBytes !== undefined ? { maxUnackedBytes: options.maxUnackedBytes } : {});
  const sink: BuildSink = {
    send(message) {
      outbox.push(message);
      return outbox.room();
    },
  };
  const http = masterHttp({ masterUrl: options.masterUrl, name, secret: options.secret });
  const fetchArtifact = createArtifactFetcher(http);
  const uploadArtifact = createArtifactUploader(http, options.uploads ?? {});
  // Decided per build step from the master of the moment: an older master takes files inline only.
  const uploader = () => (connection.accepts('uploads') ? uploadArtifact : undefined);
  const running = new Map<number, Running>();
  const waiting: BuildSpec[] = [];
  let closing = false;

  function start(build: BuildSpec): void {
    const id = build.buildId;
    if (running.has(id) || waiting.some((b) => b.buildId === id)) return logger.warn({ build: id }, 'build already here; ignored a second build.start');
    if (closing) return reportBuildNotRun(build, sink, 'error', `worker ${name} is shutting down`);
    if (running.size >= options.slots) {
      logger.warn({ build: id, slots: options.slots }, 'build arrived with all slots busy; it waits for one');
      waiting.push(build);
      return;
    }
    launch(build);
  }

  function launch(build: BuildSpec): void {
    const id = build.buildId;
    const controller = new AbortController();
    const executor = executors[build.executor] ?? missingExecutor(build.executor, name);
    logger.info({ build: id, builder: build.builder, number: build.number, executor: build.executor }, 'build started');
    const done = runBuild(build, {
      executor,
      sink,
      signal: controller.signal,
      logger: logger.child({ part: 'build', build: id }),
      ...(options.alwaysTimeoutMs !== undefined ? { alwaysTimeoutMs: options.alwaysTimeoutMs } : {}),
      fetchArtifact,
      uploader,
    })
      .then((result) => logger.info({ build: id, result }, 'build finished'))
      .catch((error: Error) => logger.error({ build: id, err: error }, 'build failed to run'))
      .finally(() => {
        running.delete(id);
        const next = waiting.shift();
        if (next) launch(next);
      });
    running.set(id, { controller, done });
  }

  function cancel(id: number, reason: string): void {
    const build = running.get(id);
    if (build) {
      logger.info({ build: id, reason: reason || 'asked by the master' }, 'cancelling build');
      return build.controller.abort(reason);
    }
    const index = waiting.findIndex((b) => b.buildId === id);
    if (index >= 0) return reportBuildNotRun(waiting.splice(index, 1)[0] as BuildSpec, sink, 'cancelled', reason || 'cancelled');
    logger.debug({ build: id }, 'cancel for a build not running here');
  }

  const connection = connectToMaster({
    masterUrl: options.masterUrl,
    name,
    secret: options.secret,
    outbox,
    logger: logger.child({ part: 'connection' }),
    backoff: createWorkerBackoff(options.backoff),
    ...(options.pingIntervalMs !== undefined ? { pingIntervalMs: options.pingIntervalMs } : {}),
    hello: () => ({
      instanceId,
      version: packageVersion(),
      arch: options.arch ?? [hostArch()],
      slots: options.slots,
      labels: options.labels,
      images: options.images ?? [],
      ...(options.imageVersions ? { imageVersions: options.imageVersions() } : {}),
      running: [...running.keys(), ...waiting.map((b) => b.buildId)],
    }),
    onBuildStart: start,
    onBuildCancel: cancel,
  });

  // Refused for good: nothing these builds say can reach the master any more. Stop them before
  // reporting, so a CLI that exits on the refusal leaves no step processes behind.
  const stopped = connection.stopped.catch(async (error: Error) => {
    closing = true;
    waiting.length = 0;
    for (const build of running.values()) build.controller.abort('the master refused this worker');
    await within(10_000, Promise.all([...running.values()].map((b) => b.done)));
    throw error;
  });
  stopped.catch(() => {});

  return {
    instanceId,
    stopped,
    reportImages(imageVersions) {
      connection.notify({ type: 'images', imageVersions });
    },
    async close({ graceMs = 30_000 } = {}) {
      closing = true;
      for (const build of waiting.splice(0)) reportBuildNotRun(build, sink, 'cancelled', `worker ${name} is shutting down`);
      for (const build of running.values()) build.controller.abort(`worker ${name} is shutting down`);
      await within(graceMs, Promise.all([...running.values()].map((b) => b.done)));
      if (connection.welcomed) await within(Math.min(graceMs, 5000), outbox.drained());
      await connection.close();
    },
  };
}

function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise.then(() => {}), timeout]).finally(() => clearTimeout(timer));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`startWorker: ${what} is required`);
  return value;
}
