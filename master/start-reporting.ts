// Reporting, wired: commit statuses and/or check runs (github.report), the pull request comment
// (github.prComment), the logs branch (when `logs` is configured), reconcile (when the client can
// list pull requests), and retention. It follows builds on the event bus and never calls back into them: nothing here can block or fail a
// build. create-master.ts starts it and closes it before the database.
import path from 'node:path';
import type { Config } from '../shared/config.js';
import type { GitHubClient } from './github/github-client.js';
import type { EventBus } from './event-bus.js';
import type { Stores } from './store/stores.js';
import type { ChangeProcessor } from './triggers/change-processor.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from './metrics.js';
import { createLogStore } from './logs/log-store.js';
import { createBuildSummaryReader } from './logs/build-summary.js';
import { createStatusSender } from './statuses/status-sender.js';
import { createStatusReporter } from './statuses/status-reporter.js';
import { reportMode } from './checks/report-mode.js';
import { startCheckRuns } from './checks/start-check-runs.js';
import { startPrComments } from './pr-comments/start-pr-comments.js';
import { openLogsRepo } from './logs-branch/open-logs-repo.js';
import { createLogsPublisher, type LogsPublisher, type LogsTarget } from './logs-branch/logs-publisher.js';
import { logsLocations } from './logs-branch/logs-locations.js';
import { DEFAULT_MAX_LOG_BYTES } from './logs-branch/cut-log.js';
import { createReconciler, type ReconcileResult } from './triggers/reconcile.js';
import { pruneRetention, type RetentionResult } from './retention/prune-retention.js';
import { warnIfDataDiskFull } from './storage-health.js';
import { repeat, type Repeating } from './repeat.js';
import type { RetryPolicy } from './retry-delay.js';
import type { SendingDeps } from './outbox-sender.js';

/** What reporting asks of GitHub; each part runs only when the client has its method. */
export type ReportingGitHub = Partial<Pick<GitHubClient, 'createStatus' | 'listOpenPulls' | 'createCheckRun' | 'updateCheckRun' | 'findCheckRun' | 'createIssueComment' | 'updateIssueComment' | 'findIssueComment'>>;

/** Timings and limits; the defaults are for production, tests shorten them. */
export interface ReportingOptions {
  /** Backoff of a status that failed to post (default 2 s doubling to 10 min). */
  statusRetry?: RetryPolicy;
  /** A status still failing this long after its transition is given up (default 3 days). */
  statusGiveUpAfterMs?: number;
  /** Backoff of a logs branch push that failed (default 2 s doubling to 10 min). */
  logsRetry?: RetryPolicy;
  /** Per step log on the branch, above which its middle is cut (default 1 MiB). */
  maxLogBytes?: number;
  /** The git executable (default "git"). */
  gitBinary?: string;
  /** Where the logs clone lives (default <dataDir>/logs-repo). */
  logsRepoDir?: string;
  /** How often missed transitions are looked for (default 60 s; also at start). */
  sweepIntervalMs?: number;
  /** First reconcile pass after start (default 0); then every github.reconcileInterval. */
  reconcileDelayMs?: number;
  /** First retention run after start (default 10 min), then every pruneIntervalMs (default 1 day). */
  pruneDelayMs?: number;
  pruneIntervalMs?: number;
}

export interface ReportingDeps {
  config: Config;
  /** Every configured secret value: masked out of everything that goes public. */
  secrets: readonly string[];
  stores: Stores;
  bus: EventBus;
  processor: ChangeProcessor;
  github?: ReportingGitHub;
  logger: Logger;
  now?: () => number;
  options?: ReportingOptions;
  /** Counts failed status posts and logs pushes. */
  metrics?: Pick<Metrics, 'statusPostFailed' | 'logsPushFailed'>;
}

export interface Reporting {
  /** One reconcile pass now; undefined when reconcile cannot run (no client that lists pull requests). */
  reconcile(): Promise<ReconcileResult> | undefined;
  /** Retention now (the logs branch, the database, the files); null with neither logs.keepDays nor storage.keepBytes (nothing expires). */
  prune(): Promise<RetentionResult | null>;
  close(): Promise<void>;
}

export function startReporting(deps: ReportingDeps): Reporting {
  const { config, stores, bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const options = deps.options ?? {};
  const readSummary = createBuildSummaryReader(stores);
  const timers: Repeating[] = [];

  const github = deps.github;
  const mode = reportMode(config.github);
  // Statuses, check runs and the comment all go out alike: same backoff, same give-up, same metric.
  const sending: SendingDeps = { logger, now, onPostFailed: deps.metrics?.statusPostFailed, retry: options.statusRetry, giveUpAfterMs: options.statusGiveUpAfterMs };
  const createStatus = mode === 'checks' ? undefined : github?.createStatus?.bind(github);
  const outbox = createStatus ? stores.statuses : undefined;
  const stale = outbox?.supersede() ?? 0;
  if (stale > 0) logger.info({ superseded: stale }, 'commit statuses overtaken by newer ones of their commit and context will not be sent');
  const sender = outbox && createStatus
    ? createStatusSender({ outbox, github: { createStatus }, ...sending })
    : undefined;
  const reporter = outbox && sender
    ? createStatusReporter({ config, builds: stores.builds, requests: stores.requests, outbox, readSummary, secrets: deps.secrets, logger, now, onAdded: () => sender.wake() })
    : undefined;

  const checkRuns = mode === 'statuses' ? undefined : startCheckRuns({ ...deps, readSummary, sending });
  const prComments = startPrComments({ ...deps, readSummary, sending });

  const publisher = config.logs ? startPublisher(deps, readSummary, now, options) : undefined;

  const listOpenPulls = github?.listOpenPulls?.bind(github);
  const stopping = new AbortController();
  const reconciler = listOpenPulls
    ? createReconciler({ config, stores, processor: deps.processor, github: { listOpenPulls }, logger, signal: stopping.signal })
    : undefined;

  const offBus = bus.on((event) => {
    if (event.type !== 'build') return;
    reporter?.onBuild(event.build);
    checkRuns?.onBuild(event.build);
    prComments?.onBuild(event.build);
    publisher?.onBuild(event.build);
  });

  // Transitions a crash cut off from their event, and rows a crash left pending, go out now.
  const sweep = async () => {
    reporter?.sweep();
    sender?.wake();
    checkRuns?.sweep();
    prComments?.sweep();
    publisher?.sweep();
  };
  timers.push(repeat('reporting sweep', sweep, { firstDelayMs: 0, intervalMs: options.sweepIntervalMs ?? 60_000, logger }));
  if (reconciler && config.github.reconcileInterval > 0) {
    timers.push(repeat('reconcile', () => reconciler.pass(), { firstDelayMs: options.reconcileDelayMs ?? 0, intervalMs: config.github.reconcileInterval, logger }));
  }

  const keepDays = config.logs?.keepDays ?? null;
  const keepBytes = config.storage.keepBytes ?? null;
  const branchKeepBytes = config.logs?.branchKeepBytes ?? null;
  const prunes = keepDays !== null || keepBytes !== null || branchKeepBytes !== null;
  const prune = async () =>
    prunes
      ? pruneRetention({
          stores, dataDir: config.dataDir, keepDays, keepBytes, branchKeepBytes, builders: config.builders, warnAbovePercent: config.storage.warnAbovePercent,
          logger, now, logsBranches: publisher ? publisher.targets.map((target) => (fn) => publisher.exclusive(target, fn)) : [],
        })
      : null;
  if (prunes) timers.push(repeat('retention', prune, { firstDelayMs: options.pruneDelayMs ?? 600_000, intervalMs: options.pruneIntervalMs ?? 86_400_000, logger }));
  // Hourly, not only with the daily retention: a disk filling up should be heard of the same day.
  timers.push(repeat('data disk check', async () => warnIfDataDiskFull(config.dataDir, config.storage.warnAbovePercent, logger), { firstDelayMs: 0, intervalMs: 3_600_000, logger }));

  return {
    reconcile: () => reconciler?.pass(),
    prune,
    async close() {
      offBus();
      stopping.abort();
      await Promise.all(timers.map((t) => t.stop()));
      await Promise.all([sender?.close(), checkRuns?.close(), prComments?.close(), publisher?.close()]);
    },
  };
}

function startPublisher(
  deps: ReportingDeps,
  readSummary: ReturnType<typeof createBuildSummaryReader>,
  now: () => number,
  options: ReportingOptions,
): LogsPublisher | undefined {
  const { config, logger } = deps;
  const targets: LogsTarget[] = [];
  for (const location of logsLocations(config)) {
    try {
      targets.push({ location, repo: openLogsRepo(config, location, deps.secrets, { dir: options.logsRepoDir, gitBinary: options.gitBinary }) });
    } catch (error) {
      // One unusable remote disables the logs branch: its builds would otherwise land on another.
      logger.error({ err: (error as Error).message, remote: location.remote }, 'logs branch disabled');
      return undefined;
    }
    if (/^https?:\/\//i.test(location.remote) && !config.github.token) {
      logger.warn({ remote: location.remote }, 'logs.remote is http(s) but github.token is not set: git has no credentials to push with (GitHub App auth does not reach git yet)');
    }
  }
  const logStore = createLogStore(path.join(config.dataDir, 'logs'));
  return createLogsPublisher({
    targets,
    publications: deps.stores.publications,
    builds: deps.stores.builds,
    folder: { config, secrets: deps.secrets, logPath: (id, step) => logStore.path(id, step), readSummary, maxLogBytes: options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES },
    logger,
    now,
    retry: options.logsRetry,
    onPushFailed: deps.metrics?.logsPushFailed,
  });
}
