// What the master counts for Prometheus (GET /metrics), all in one place. One registry per master,
// not prom-client's global one, so tests can run several masters in one process. Builds are
// followed on the event bus; depths and backlogs are read from the stores when scraped.
// The worker does not report VM boot or restore times yet, so there is no metric for them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventBus } from './event-bus.js';
import type { Stores } from './store/stores.js';
import type { WorkerSessions } from './dispatch/worker-session.js';
import { dataDiskUsedRatio } from './storage-health.js';

export interface MetricsDeps {
  stores: Pick<Stores, 'builds' | 'statuses' | 'publications' | 'notifications'>;
  bus: EventBus;
  sessions: WorkerSessions;
  /** The configured builders: each has its series from the start, at 0. */
  builders: readonly string[];
  /** Where the data disk is, for how full it is. */
  dataDir: string;
}

/** How a webhook was answered, from its HTTP status (the README's table). */
export function webhookOutcome(status: number): string {
  if (status === 200) return 'accepted';
  if (status === 202) return 'ignored';
  if (status === 401) return 'bad-signature';
  if (status === 503) return 'unavailable';
  if (status < 500) return 'refused';
  return 'error';
}

const MINUTES = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

export function createMetrics(deps: MetricsDeps) {
  const { stores, bus, sessions, builders, dataDir } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const webhooks = new Counter({ name: 'gatehouse_webhooks_total', help: 'Webhooks received, by event and outcome', labelNames: ['event', 'outcome'] as const, registers });
  const builds = new Counter({ name: 'gatehouse_builds_total', help: 'Builds finished, by builder and result', labelNames: ['builder', 'result'] as const, registers });
  const buildSeconds = new Histogram({
    name: 'gatehouse_build_duration_seconds', help: 'From a build\'s start on a worker to its end', labelNames: ['builder', 'result'] as const, buckets: MINUTES, registers,
  });
  const queueWait = new Histogram({
    name: 'gatehouse_queue_wait_seconds', help: 'From a build\'s creation (approval waits included) to its start on a worker', labelNames: ['builder'] as const, buckets: MINUTES, registers,
  });
  const vmStart = new Histogram({
    name: 'gatehouse_vm_start_seconds', help: 'From a worker asking for a build\'s VM to SSH answering, by how it was had (boot, pool, restore)',
    labelNames: ['builder', 'start'] as const, buckets: [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120], registers,
  });
  const statusFailures = new Counter({ name: 'gatehouse_status_post_failures_total', help: 'Commit status posts GitHub did not take', registers });
  const logsFailures = new Counter({ name: 'gatehouse_logs_push_failures_total', help: 'Updates of the logs branch that failed (each is retried)', registers });

  // Counted when scraped: always current, nothing to keep in step.
  new Gauge({
    name: 'gatehouse_queue_depth', help: 'Builds queued and not yet on a worker, by builder', labelNames: ['builder'] as const, registers,
    collect() {
      const counts = new Map<string, number>();
      for (const r of stores.builds.openCountsByRequest()) {
        if (r.state === 'queued' && r.request === 'queued') counts.set(r.builder, (counts.get(r.builder) ?? 0) + r.n);
      }
      for (const builder of new Set([...builders, ...counts.keys()])) this.set({ builder }, counts.get(builder) ?? 0);
    },
  });
  new Gauge({ name: 'gatehouse_status_backlog', help: 'Commit statuses waiting to be posted', registers, collect() { this.set(stores.statuses.pendingCount()); } });
  new Gauge({ name: 'gatehouse_notification_backlog', help: 'Notifications waiting to be sent (rate-limited, or retried after a channel refused)', registers, collect() { this.set(stores.notifications.pendingCount()); } });
  new Gauge({ name: 'gatehouse_logs_backlog', help: 'Builds the logs branch does not show as they are yet', registers, collect() { this.set(stores.publications.owedCount()); } });
  new Gauge({
    name: 'gatehouse_data_disk_used_ratio', help: 'How full the data disk is, 0 to 1 (as df shows it; storage.warnAbovePercent logs a warning past it)', registers,
    collect() {
      const ratio = dataDiskUsedRatio(dataDir);
      if (ratio !== undefined) this.set(ratio);
    },
  });
  new Gauge({ name: 'gatehouse_workers_connected', help: 'Workers connected now', registers, collect() { this.set(sessions.size); } });

  for (const builder of builders) queueWait.zero({ builder });

  // A build may be reported in the same state more than once (a requeue, a late event): each
  // start and each end is counted once. Ids are forgotten oldest first past a bound.
  const started = new BoundedSet(10_000);
  const finished = new BoundedSet(10_000);
  const off = bus.on((event) => {
    if (event.type !== 'build') return;
    const b = event.build;
    if (b.state === 'running' && b.started_at !== null && started.add(b.id)) {
      queueWait.observe({ builder: b.builder }, Math.max(0, b.started_at - b.created_at) / 1000);
    } else if (b.state === 'finished' && b.result !== null && finished.add(b.id)) {
      builds.inc({ builder: b.builder, result: b.result });
      if (b.started_at !== null && b.finished_at !== null) buildSeconds.observe({ builder: b.builder, result: b.result }, Math.max(0, b.finished_at - b.started_at) / 1000);
    }
  });

  return {
    registry,
    /** A webhook answered with `status`; its event is named only once it was signed (a stranger's header could be anything). */
    webhook(header: string | string[] | undefined, status: number): void {
      const event = Array.isArray(header) ? header[0] : header;
      webhooks.inc({ event: status < 300 && event ? event : 'unverified', outcome: webhookOutcome(status) });
    },
    statusPostFailed: () => statusFailures.inc(),
    vmStarted: (builder: string, start: string, ms: number) => vmStart.observe({ builder, start }, ms / 1000),
    logsPushFailed: () => logsFailures.inc(),
    close: () => off(),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** A set that keeps the newest `max` members; add() says whether the member is new. */
class BoundedSet {
  private readonly members = new Set<number>();
  constructor(private readonly max: number) {}
  add(member: number): boolean {
    if (this.members.has(member)) return false;
    this.members.add(member);
    if (this.members.size > this.max) this.members.delete(this.members.values().next().value as number);
    return true;
  }
}
