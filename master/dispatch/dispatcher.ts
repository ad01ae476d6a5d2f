// Hands runnable requests, highest priority first (aged, see build-request-store.ts), to a free slot of a connected worker that matches its builder
// (arch, labels, image), within the builder's concurrency cap. A request that cannot go says why.
import type { Config } from '../../shared/config.js';
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { BuildRequestStore } from '../store/build-request-store.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../../shared/logger.js';
import type { WorkerSessions } from './worker-session.js';
import { buildSpec } from './build-spec.js';
import type { DownloadResolver } from './resolve-download.js';
import { builderNeeds, workerMatches } from './worker-match.js';
import type { MergeBaseResolver } from './resolve-merge-base.js';
import type { StepSpec } from '../../shared/protocol.js';
import { createStorageAlarm, storageFailure } from '../storage-full.js';

const MINUTE_MS = 60_000;

/** A dispatch pass that failed to store (a full disk) is tried again after this long. */
const STORAGE_RETRY_MS = 5_000;

export interface DispatcherDeps {
  config: Config;
  secrets: string[];
  configDir: string;
  /** Looks up the artifacts a step's `download` names. */
  resolveDownload?: DownloadResolver;
  /** Looks up a PR build's base branch (builders with `mergeBase`). */
  mergeBaseOf?: MergeBaseResolver;
  builds: BuildStore;
  requests: BuildRequestStore;
  sessions: WorkerSessions;
  bus: EventBus;
  logger: Logger;
}

function flattenSteps(steps: StepSpec[]): Array<{ id: string; name: string }> {
  return steps.flatMap((s) => [{ id: s.id, name: s.name }, ...flattenSteps(s.parallel ?? [])]);
}

export function createDispatcher(deps: DispatcherDeps) {
  const { config, builds, requests, sessions, bus, logger } = deps;
  let scheduled = false;
  let retry: NodeJS.Timeout | undefined;
  const alarm = createStorageAlarm(logger);

  function dispatchNow(): void {
    const runningByBuilder = new Map<string, number>();
    for (const request of requests.runnable(config.dispatch.priorityAgingMinutes * MINUTE_MS)) {
      const builder = config.builders.find((b) => b.name === request.builder);
      if (!builder) {
        if (builds.finish(request.build_id, 'error', `builder "${request.builder}" is no longer configured`)) {
          bus.emit({ type: 'build', build: builds.get(request.build_id) as BuildRow });
        }
        continue;
      }
      const running = runningByBuilder.get(builder.name) ?? builds.runningCount(builder.name);
      runningByBuilder.set(builder.name, running);
      let waiting: string | null = null;
      const need = builderNeeds(builder, config);
      const candidates = [...sessions.values()].filter((w) => workerMatches(w, need));
      const free = candidates.filter((w) => w.running.size < w.slots).sort((a, b) => b.slots - b.running.size - (a.slots - a.running.size));
      if (builder.maxConcurrent !== undefined && running >= builder.maxConcurrent) waiting = `concurrency cap: ${running} of ${builder.maxConcurrent} running`;
      else if (candidates.length === 0) waiting = `no connected worker matches${need.arch ? ` arch ${need.arch}` : ''}${need.labels.length ? ` labels ${need.labels.join(',')}` : ''}${need.image ? ` image ${need.image}` : ''}`;
      else if (free.length === 0) waiting = `all matching workers are busy (${candidates.map((w) => w.name).join(', ')})`;
      if (waiting !== null || !free[0]) {
        if (request.waiting !== waiting) requests.setWaiting(request.id, waiting);
        continue;
      }
      const worker = free[0];
      const build = builds.get(request.build_id) as BuildRow;
      let spec;
      try {
        spec = buildSpec(build, builder, config, deps);
      } catch (error) {
        // An upload file that went missing, no base branch to merge into: the build cannot run anywhere.
        if (builds.finish(build.id, 'error', `cannot prepare the build: ${(error as Error).message}`)) bus.emit({ type: 'build', build: builds.get(build.id) as BuildRow });
        continue;
      }
      if (!builds.claim(request.id, build.id, worker.name, flattenSteps(spec.steps))) continue;
      worker.running.add(build.id);
      runningByBuilder.set(builder.name, running + 1);
      worker.send({ type: 'build.start', build: spec });
      logger.info({ build: build.id, builder: builder.name, worker: worker.name }, 'build dispatched');
      bus.emit({ type: 'build', build: builds.get(build.id) as BuildRow });
    }
  }

  /** Dispatch soon; many calls in one tick make one pass. */
  function wake(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      try {
        dispatchNow();
      } catch (error) {
        // A full disk: nothing else may wake the dispatcher for a while, so it tries again itself.
        if (!storageFailure(error)) return logger.error({ err: error }, 'dispatch failed');
        alarm.failed('dispatching builds', error);
        clearTimeout(retry);
        retry = setTimeout(wake, STORAGE_RETRY_MS).unref();
      }
    });
  }

  return { wake, dispatchNow };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
