// Builds the master from its parts. Everything is passed in or made here, so a test gets the real
// thing on a temporary data dir with its own GitHub stand-in. `listen()` is the caller's business.
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../shared/config.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { openDatabase, type Db } from './store/open-database.js';
import { createStores, type Stores } from './store/stores.js';
import type { BuildStore } from './store/build-store.js';
import { createEventBus, type EventBus } from './event-bus.js';
import { DebugAccessLog } from './access-log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createChangeProcessor, type ChangeProcessor } from './triggers/change-processor.js';
import { cachedLookups } from './triggers/cached-lookups.js';
import { createScheduler, type Scheduler } from './schedules/scheduler.js';
import type { GitHubLookups } from './triggers/github-lookups.js';
import type { RefLookups } from './triggers/resolve-ref.js';
import { WEBHOOK_PATH, webhookRoute } from './intake/webhook-route.js';
import { servedRepos } from './intake/served-repos.js';
import { readRoutes } from './api/read-routes.js';
import { actionRoutes } from './api/action-routes.js';
import { createErrorHandler, sendApiError } from './api/error-handler.js';
import { apiError } from './api/errors.js';
import { useApiSchemas } from './api/openapi.js';
import { workerRoutes } from './api/worker-routes.js';
import { logRoutes } from './api/log-routes.js';
import { eventRoutes } from './api/event-routes.js';
import { forwarderRoutes, type ForwarderSlot } from './api/forwarder-routes.js';
import { uiReadRoutes } from './api/ui-read-routes.js';
import { uiRoutes } from './ui/ui-routes.js';
import websocket from '@fastify/websocket';
import { createLogStore, type LogStore } from './logs/log-store.js';
import { createMessageApplier } from './dispatch/apply-worker-message.js';
import { chainAfter } from './triggers/chain-after.js';
import { createDispatcher, type Dispatcher } from './dispatch/dispatcher.js';
import { createDownloadResolver } from './dispatch/resolve-download.js';
import { MAX_MESSAGE_BYTES } from '../shared/protocol.js';
import { createArtifactFiles } from './artifacts/artifact-files.js';
import { openBucket, type Bucket } from './artifacts/s3-bucket.js';
import { createS3Uploader } from './artifacts/s3-uploader.js';
import { createUploadStaging, uploadStagingDir } from './artifacts/upload-staging.js';
import { createMergeBaseResolver } from './dispatch/resolve-merge-base.js';
import { sweepUploads } from './artifacts/sweep-uploads.js';
import { createWorkerHub, type WorkerHub } from './dispatch/worker-hub.js';
import type { WorkerSessions } from './dispatch/worker-session.js';
import { startReporting, type Reporting, type ReportingGitHub, type ReportingOptions } from './start-reporting.js';
import { startNotifications, type Notifications, type NotificationsDeps } from './notifications/start-notifications.js';
import { badgeRoutes } from './badges/badge-routes.js';
import { STORAGE_RETRY_AFTER_S, createStorageAlarm, storageFailure } from './storage-full.js';
import { dataDiskFull, storageHealth } from './storage-health.js';

export interface MasterDeps {
  config: Config;
  /** Every secret value in the config, masked in logs. */
  secrets: string[];
  /** The GitHub client: triggers look things up; with createStatus/listOpenPulls, statuses and reconcile run. */
  github?: GitHubLookups & ReportingGitHub & Partial<Pick<RefLookups, 'getCommitSha'>>;
  /** Timings of statuses, the logs branch, reconcile and retention (tests shorten them). */
  reporting?: ReportingOptions;
  now?: () => number;
  /** The process's logger; fastify and every part log through children of it (default: silent). */
  logger?: Logger;
  /** Where `upload` paths are relative to (the config file's directory; default: cwd). */
  configDir?: string;
  /** WebSocket ping interval for workers (default 10 s). */
  pingIntervalMs?: number;
  /** Notification channels (default: those the config names) and timings; tests pass their own. */
  notifications?: Pick<NotificationsDeps, 'channels' | 'retry' | 'checkIntervalMs'>;
  /** Step logs (default: files under <dataDir>/logs); fault tests wrap it to fail on cue. */
  logs?: LogStore;
}

export interface Master {
  app: FastifyInstance;
  db: Db;
  stores: Stores;
  bus: EventBus;
  builds: BuildStore;
  processor: ChangeProcessor;
  scheduler: Scheduler;
  dispatcher: Dispatcher;
  hub: WorkerHub;
  sessions: WorkerSessions;
  forwarder: ForwarderSlot;
  reporting: Reporting;
  notifications: Notifications;
  metrics: Metrics;
  /** Refuse webhooks from now on (503), for a shutdown; the rest keeps serving until close(). */
  drain(): void;
  close(): Promise<void>;
}

export async function createMaster(deps: MasterDeps): Promise<Master> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const db = openDatabase(path.join(config.dataDir, 'gatehouse.sqlite'));
  const bus = createEventBus();
  const stores = createStores(db, now);
  const { builds, changes } = stores;
  // fastify sets no request deadline by default: a sender that trickles its headers would hold a
  // socket for ever. Bodies have their own deadline where they are read unauthenticated (webhooks);
  // workers' uploads keep an idle timeout instead, as they may rightly take long.
  const headersTimeout = config.http.headersTimeout;
  const logger = deps.logger ?? silentLogger;
  const part = (name: string) => logger.child({ part: name });
  const app = Fastify({
    loggerInstance: part('http') as FastifyBaseLogger, // the app keeps fastify's own logger type
    logController: new DebugAccessLog(),
    // Node checks the deadline every connectionsCheckingInterval (default 30 s): check often enough to keep it.
    http: { headersTimeout, connectionsCheckingInterval: Math.max(250, Math.min(headersTimeout / 4, 30_000)) },
  });
  const sessions: WorkerSessions = new Map();
  const metrics = createMetrics({ stores, bus, sessions, builders: config.builders.map((b) => b.name), dataDir: config.dataDir });
  const processor = createChangeProcessor({ stores, config, bus, github: deps.github && cachedLookups(deps.github), logger: part('triggers') });
  const notifications = startNotifications({ config, stores, bus, sessions, logger: part('notify'), now, ...deps.notifications });
  // The metrics count failed posts and pushes; notifications hear of them too.
  const reportingSignals = {
    statusPostFailed: () => (metrics.statusPostFailed(), notifications.reportingFailed('statuses')),
    logsPushFailed: () => (metrics.logsPushFailed(), notifications.reportingFailed('logs')),
  };
  const reporting = startReporting({ config, secrets: deps.secrets, stores, bus, processor, github: deps.github, logger: part('report'), now, options: deps.reporting, metrics: reportingSignals });

  // Forced and scheduled builds resolve refs; a client without getCommitSha (some tests') cannot.
  const gh = deps.github;
  const refLookups: RefLookups | undefined = gh?.getCommitSha ? { getPull: gh.getPull.bind(gh), getCommitSha: gh.getCommitSha.bind(gh) } : undefined;

  const scheduler = createScheduler({ config, stores, github: refLookups, now, logger: part('schedule'), onChange: () => kick() });

  const alarm = createStorageAlarm(part('storage'));
  // Every answer to a webhook, refusals before routing included.
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === WEBHOOK_PATH) metrics.webhook(request.headers['x-github-event'], reply.statusCode);
  });

  app.setErrorHandler(createErrorHandler(alarm));
  const apiSchemas = useApiSchemas(app);

  // While the data disk is full, a request that would write (a webhook, an action, an upload) is
  // answered at once, unread: it could not be stored, and GitHub's redelivery or reconcile (or the
  // worker's retry) brings it back. Requests that get past this and still hit the disk get the same
  // answer from the error handler.
  // Stopping: GitHub's redelivery or reconcile brings a refused webhook back after the restart.
  let draining = false;
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    if (draining && request.url.startsWith(WEBHOOK_PATH)) return reply.code(503).header('connection', 'close').send({ error: 'the master is shutting down; try again later' });
    const full = dataDiskFull(config.dataDir);
    if (full) return sendApiError(request, reply.header('connection', 'close'), apiError('storage_full', full));
  });

  const webhookSecrets = [config.github.webhookSecret, ...config.github.previousWebhookSecrets];
  await app.register(webhookRoute, {
    stores, secrets: webhookSecrets, bus, now, isServed: servedRepos(config), logger: part('intake'),
    bufferBytes: config.http.webhookBufferMiB * 1024 * 1024, bodyTimeoutMs: config.http.webhookBodyTimeout,
    onChange: () => kick(),
  });
  await app.register(readRoutes, { stores, config });
  await app.register(actionRoutes, { stores, config, processor, bus, github: refLookups });

  const logs = deps.logs ?? createLogStore(path.join(config.dataDir, 'logs'));
  const dispatcher = createDispatcher({
    config, secrets: deps.secrets, configDir: deps.configDir ?? process.cwd(), resolveDownload: createDownloadResolver(stores), mergeBaseOf: createMergeBaseResolver(changes), builds, requests: stores.requests, sessions, bus, logger: part('dispatch'),
  });
  const s3 = config.artifacts.store === 's3' ? config.artifacts.s3 : undefined;
  let bucket: Promise<Bucket> | undefined;
  const openS3 = s3 ? () => (bucket ??= openBucket(s3)) : undefined;
  const uploader = openS3 && s3 ? createS3Uploader({ artifacts: stores.artifacts, bucket: openS3, prefix: s3.prefix, logger: part('artifacts') }) : undefined;
  const artifactFiles = createArtifactFiles(async () => (openS3 ? openS3() : undefined));
  const uploads = createUploadStaging(uploadStagingDir(config.dataDir));
  const apply = createMessageApplier({
    stores, logs, artifactsDir: path.join(config.dataDir, 'artifacts'), uploads, logger: part('dispatch'), bus, now, secrets: () => deps.secrets, onFinished: chainAfter(config, changes),
    ...(uploader ? { onArtifact: uploader.kick } : {}),
    onVmStart: metrics.vmStarted,
  });
  const hub = createWorkerHub({ stores, config, sessions, dispatcher, apply, artifactFiles, uploads, bus, logger: part('workers'), now, pingIntervalMs: deps.pingIntervalMs });
  // A bigger message closes the connection, and the worker would send it again and again.
  await app.register(websocket, {
    options: { maxPayload: MAX_MESSAGE_BYTES },
    // The plugin's own close sends a bare close frame; workers are told the master is going away (1001).
    async preClose(this: FastifyInstance) {
      hub.close();
      for (const client of this.websocketServer.clients) client.close(1001, 'master shutting down');
      this.websocketServer.close();
    },
  });
  await app.register(hub.routes);
  await app.register(workerRoutes, { stores, config, sessions });
  await app.register(logRoutes, { steps: stores.steps, logs, bus });
  await app.register(eventRoutes, { bus });
  const forwarder: ForwarderSlot = {};
  await app.register(forwarderRoutes, { slot: forwarder });
  await app.register(uiReadRoutes, { stores, config, sessions, artifactFiles });
  await app.register(badgeRoutes, { builds, config });
  await app.register(apiSchemas.openApiRoute);
  await app.register(uiRoutes);
  const offBus = bus.on((event) => {
    if (event.type === 'queue') dispatcher.wake();
    else if (event.type === 'cancel-requested') hub.cancel(event.buildId, event.reason);
    else if (event.type === 'build' && event.build.state === 'finished') {
      dispatcher.wake();
      kick(); // a chained builder may follow
    }
  });

  // Open like /healthz: counts only, nothing a stranger could use against a build.
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  const health = storageHealth(stores.workers, config.dataDir);
  app.get('/healthz', async (_req, reply) => {
    const error = health();
    return error === undefined ? { ok: true } : reply.code(503).header('retry-after', String(STORAGE_RETRY_AFTER_S)).send({ ok: false, error });
  });

  // Changes a crash left pending are evaluated now.
  // Uploads no message can claim any more (their build ended): at start and hourly.
  const sweep = () => {
    try {
      sweepUploads(builds, config.dataDir, now());
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'sweeping staged uploads failed');
    }
  };
  const sweeper = setInterval(sweep, 3_600_000).unref();
  // Pending changes are processed in the background; one that failed to store (a full disk) stays
  // pending, and is tried again shortly, as nothing else may come to kick it.
  let kickRetry: NodeJS.Timeout | undefined;
  function kick(): void {
    processor.kick().catch((error: unknown) => {
      if (!storageFailure(error)) return logger.error({ err: error }, 'processing changes failed');
      alarm.failed('processing changes', error);
      clearTimeout(kickRetry);
      kickRetry = setTimeout(kick, 5_000).unref();
    });
  }
  app.addHook('onReady', async () => {
    sweep();
    hub.recover();
    uploader?.kick();
    kick();
    dispatcher.wake();
    scheduler.start();
  });
  app.addHook('preClose', async () => {
    draining = true;
    scheduler.close();
    clearInterval(sweeper);
    clearTimeout(kickRetry);
    alarm.close();
    await forwarder.current?.close();
  });
  app.addHook('onClose', async () => {
    offBus();
    metrics.close();
    await processor.kick().catch(() => undefined);
    await reporting.close();
    await notifications.close();
    await uploader?.close();
    db.close();
  });

  return { app, db, stores, bus, builds, processor, scheduler, dispatcher, hub, sessions, forwarder, reporting, notifications, metrics, drain: () => void (draining = true), close: () => app.close() };
}
