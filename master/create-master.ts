// Builds the master from its parts. Everything is passed in or made here, so a test gets the real
// thing on a temporary data dir with its own GitHub stand-in. `listen()` is the caller's business.
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../shared/config.js';
import { openDatabase, type Db } from './queue/open-database.js';
import { createDeliveryStore } from './queue/delivery-store.js';
import { createChangeStore } from './queue/change-store.js';
import { createBuildStore, type BuildStore } from './queue/build-store.js';
import { createEventBus, type EventBus } from './event-bus.js';
import { createChangeProcessor, type ChangeProcessor } from './triggers/change-processor.js';
import type { GitHubLookups } from './triggers/github-lookups.js';
import { webhookRoute } from './intake/webhook-route.js';
import { readRoutes } from './api/read-routes.js';
import { actionRoutes } from './api/action-routes.js';
import { BadQueryError } from './api/list-query.js';

export interface MasterDeps {
  config: Config;
  /** Every secret value in the config, masked in logs. */
  secrets: string[];
  github?: GitHubLookups;
  now?: () => number;
  /** pino options or false; tests pass false. */
  logger?: boolean | object;
}

export interface Master {
  app: FastifyInstance;
  db: Db;
  bus: EventBus;
  builds: BuildStore;
  processor: ChangeProcessor;
  close(): Promise<void>;
}

export async function createMaster(deps: MasterDeps): Promise<Master> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const db = openDatabase(path.join(config.dataDir, 'gatehouse.sqlite'));
  const bus = createEventBus();
  const deliveries = createDeliveryStore(db);
  const changes = createChangeStore(db, now);
  const builds = createBuildStore(db, now);
  const app = Fastify({ logger: deps.logger ?? false });
  const processor = createChangeProcessor({ db, config, changes, builds, deliveries, bus, github: deps.github, logger: app.log });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    if (error instanceof BadQueryError) return reply.code(400).send({ error: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: error.message });
  });

  const webhookSecrets = [config.github.webhookSecret, ...config.github.previousWebhookSecrets];
  await app.register(webhookRoute, { db, secrets: webhookSecrets, deliveries, changes, bus, now, onChange: () => void processor.kick() });
  await app.register(readRoutes, { db, config });
  await app.register(actionRoutes, { db, config, builds, changes, processor, bus });

  const healthProbe = db.prepare('UPDATE workers SET last_seen = last_seen WHERE 0');
  app.get('/healthz', async (_req, reply) => {
    try {
      // A write statement proves the database is writable without changing anything.
      db.transaction(() => healthProbe.run())();
      return { ok: true };
    } catch (error) {
      return reply.code(503).send({ ok: false, error: (error as Error).message });
    }
  });

  // Changes a crash left pending are evaluated now.
  app.addHook('onReady', async () => void processor.kick());
  app.addHook('onClose', async () => {
    await processor.kick().catch(() => undefined);
    db.close();
  });

  return { app, db, bus, builds, processor, close: () => app.close() };
}
