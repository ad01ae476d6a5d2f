// Notifications, wired: builders' transitions from finished builds on the bus, workers lost and
// back and failed images from `worker` events, stuck statuses and logs from the reporting's
// failure signals. Every notice is written to the outbox for every configured channel at once (in
// the event, so a crash after it loses nothing), and the sender takes it from there. With no
// channel configured nothing is written. create-master.ts starts it and closes it before the database.
import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { EventBus } from '../event-bus.js';
import type { Stores } from '../store/stores.js';
import type { BuildRow } from '../store/build-store.js';
import type { WorkerSessions } from '../dispatch/worker-session.js';
import { targetUrlFor } from '../statuses/target-url.js';
import { repeat, type Repeating } from '../repeat.js';
import type { RetryPolicy } from '../retry-delay.js';
import type { Channel } from './channel.js';
import { configuredChannels } from './configured-channels.js';
import { builderNotice, builderTransition } from './builder-transitions.js';
import { createNotificationSender } from './notification-sender.js';
import { createReportingWatch, type ReportingPart } from './reporting-watch.js';
import { createWorkerWatch, type Notify } from './worker-watch.js';

export interface NotificationsDeps {
  config: Config;
  stores: Stores;
  bus: EventBus;
  sessions: WorkerSessions;
  logger: Logger;
  now?: () => number;
  /** Default: the channels the config names; tests pass their own. */
  channels?: readonly Channel[];
  /** Backoff of a message a channel did not take (default 2 s doubling to 10 min). */
  retry?: RetryPolicy;
  /** How often the statuses' and logs' backlogs are compared (default 60 s). */
  checkIntervalMs?: number;
}

/** Builds finished this recently are looked at again at start, for a transition a crash cut off from its event. */
const SWEEP_WINDOW_MS = 3_600_000;

export function startNotifications(deps: NotificationsDeps) {
  const { config, stores, bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const settings = config.notifications;
  const channels = deps.channels ?? configuredChannels(settings);
  const outbox = stores.notifications;
  const sender = createNotificationSender({ outbox, channels, logger, now, minIntervalMs: settings.minInterval, giveUpAfterMs: settings.giveUpAfter, retry: deps.retry });

  const notify: Notify = (topic, key, notice) => {
    let added = false;
    for (const channel of channels) added = outbox.add({ channel: channel.id, topic, dedupeKey: key, notice: JSON.stringify(notice) }) || added;
    if (added) sender.wake();
  };

  function onFinished(build: BuildRow): void {
    const kind = builderTransition(stores.builds.verdictBefore(build)?.result, build.result);
    if (kind) notify(`builder:${build.builder}`, `build:${build.id}`, builderNotice(kind, build, targetUrlFor(config, build, build.started_at !== null)));
  }

  const workersPage = config.http.publicUrl ? `${config.http.publicUrl.replace(/\/+$/, '')}/#/workers` : undefined;
  const workers = createWorkerWatch({ config, sessions: deps.sessions, workers: stores.workers, notify, now, link: workersPage });
  const reporting = createReportingWatch({
    backlog: { statuses: () => stores.statuses.pendingCount(), logs: () => stores.publications.owedCount() }, notify, now, failingAfterMs: settings.reportingFailingAfter,
  });

  // Each event is stored before anything else: a notification that cannot be written (a full
  // disk) is logged and lost, never an error in the build's path.
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      logger.error({ err: (error as Error).message }, `notification of ${what} not recorded`);
    }
  };
  const off = channels.length === 0 ? () => undefined : bus.on((event) => {
    if (event.type === 'build' && event.build.state === 'finished') guard(`build ${event.build.id}`, () => onFinished(event.build));
    else if (event.type === 'worker') guard(`worker ${event.name}`, () => workers.onWorker(event.name));
  });

  const timers: Repeating[] = [];
  if (channels.length > 0) {
    guard('the start', () => {
      for (const builder of config.builders) {
        const latest = stores.builds.latestVerdict(builder.name);
        if (latest && (latest.finished_at ?? 0) >= now() - SWEEP_WINDOW_MS) onFinished(latest);
      }
      workers.start();
    });
    sender.wake();
    timers.push(repeat('reporting watch', async () => reporting.check(), { firstDelayMs: deps.checkIntervalMs ?? 60_000, intervalMs: deps.checkIntervalMs ?? 60_000, logger }));
  }

  return {
    channels,
    /** A commit status post or logs push failed (the metrics' signal, passed on). */
    reportingFailed: (part: ReportingPart) => reporting.failed(part),
    async close(): Promise<void> {
      off();
      workers.close();
      await Promise.all(timers.map((t) => t.stop()));
      await sender.close();
    },
  };
}
export type Notifications = ReturnType<typeof startNotifications>;
