// Workers from the notifications' side: one that stays away past its grace period is lost (its
// builds are ended by then, see the worker hub), one that connects after that is back, and a VM
// image version a worker reports as failed is an image that did not rebuild. Fed by the bus's
// `worker` events, which come on a connect, a disconnect and an images report.
// A lost worker's event key is its last-seen time, which stays the same while it is away: a master
// restart that finds it still away adds no second "lost" notification.
import type { Config } from '../../shared/config.js';
import type { ImageFamilyReport } from '../../shared/protocol.js';
import type { WorkerSessions } from '../dispatch/worker-session.js';
import type { WorkerStore } from '../store/worker-store.js';
import type { Notice } from './notice.js';
import { formatDuration } from '../../shared/duration.js';

/** Queue a notice of `topic`, once per `key`. */
export type Notify = (topic: string, key: string, notice: Notice) => void;

export interface WorkerWatchDeps {
  config: Pick<Config, 'workers'>;
  sessions: WorkerSessions;
  workers: Pick<WorkerStore, 'get' | 'all'>;
  notify: Notify;
  now: () => number;
  /** The UI's workers page, when the master has a public URL. */
  link?: string;
}

export function createWorkerWatch(deps: WorkerWatchDeps) {
  const { sessions, workers, notify, now } = deps;
  const lost = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const link = deps.link ? { link: deps.link } : {};

  function armLost(name: string): void {
    const worker = deps.config.workers.find((w) => w.name === name);
    if (!worker || timers.has(name) || lost.has(name)) return;
    const timer = setTimeout(() => {
      timers.delete(name);
      if (sessions.has(name)) return;
      lost.add(name);
      const since = workers.get(name)?.last_seen ?? now();
      notify(`worker:${name}`, `worker-lost:${name}@${since}`, {
        kind: 'worker-lost', title: `worker ${name} is lost (away for over ${formatDuration(worker.gracePeriod)})`,
        detail: `last seen ${new Date(since).toISOString()}; builds it was running were ended or queued again`, ...link, at: now(),
      });
    }, worker.gracePeriod);
    timer.unref?.();
    timers.set(name, timer);
  }

  function connected(name: string): void {
    clearTimeout(timers.get(name));
    timers.delete(name);
    const row = workers.get(name);
    if (lost.delete(name)) {
      notify(`worker:${name}`, `worker-back:${name}@${row?.connected_at ?? now()}`, { kind: 'worker-back', title: `worker ${name} is back`, ...link, at: now() });
    }
    for (const failed of failedImages(row?.image_versions ?? null)) {
      notify(`image:${failed.image}`, `image-failed:${name}:${failed.image}:${failed.version}`, {
        kind: 'image-failed', title: `image ${failed.image} failed to rebuild on worker ${name} (${failed.version})`,
        ...(failed.failure ? { detail: failed.failure } : {}), ...link, at: now(),
      });
    }
  }

  return {
    /** A `worker` event: connected now or not. */
    onWorker(name: string): void {
      if (sessions.has(name)) connected(name);
      else armLost(name);
    },
    /** At start no worker is connected: each configured one that was seen before gets its grace period. */
    start(): void {
      for (const row of workers.all()) if (!sessions.has(row.name)) armLost(row.name);
    },
    close(): void {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

/** The versions a worker's image report marks as failed (a report that does not parse has none). */
function failedImages(json: string | null): Array<{ image: string; version: string; failure?: string }> {
  let families: ImageFamilyReport[];
  try {
    families = json ? (JSON.parse(json) as ImageFamilyReport[]) : [];
  } catch {
    return [];
  }
  if (!Array.isArray(families)) return [];
  return families.flatMap((f) => (f.versions ?? []).filter((v) => v.state === 'failed').map((v) => ({ image: f.image, version: v.name, ...(v.failure ? { failure: v.failure } : {}) })));
}
