// GET /api/v2/workers: configured and known workers, with what the connected ones do now.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../shared/config.js';
import type { Stores } from '../store/stores.js';
import type { WorkerSessions } from '../dispatch/worker-session.js';
import { errorResponses } from './errors.js';
import { workerList, type ApiImageFamily } from './schemas/workers.js';

export async function workerRoutes(app: FastifyInstance, deps: { stores: Stores; config: Config; sessions: WorkerSessions }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v2/workers', { schema: { response: { 200: workerList, ...errorResponses() } } }, async () => {
    const known = new Map(deps.stores.workers.all().map((r) => [r.name, r]));
    const builds = deps.stores.builds.running();
    const names = [...new Set([...deps.config.workers.map((w) => w.name), ...known.keys()])];
    const workers = names.map((name) => {
      const row = known.get(name);
      const live = deps.sessions.get(name);
      const configured = deps.config.workers.find((w) => w.name === name);
      return {
        name,
        configured: configured !== undefined,
        connected: live !== undefined,
        connected_since: live?.connectedAt ?? null,
        last_seen: row?.last_seen ?? null,
        version: live?.version ?? row?.version ?? null,
        slots: live?.slots ?? row?.slots ?? configured?.slots ?? null,
        arch: live?.arch ?? (row?.arch ? (JSON.parse(row.arch) as string[]) : []),
        labels: live?.labels ?? (row?.labels ? (JSON.parse(row.labels) as string[]) : configured?.labels ?? []),
        images: live?.images ?? (row?.images ? (JSON.parse(row.images) as string[]) : []),
        image_versions: row?.image_versions ? (JSON.parse(row.image_versions) as ApiImageFamily[]) : [],
        running_builds: builds.filter((b) => b.worker === name).map((b) => b.id),
      };
    });
    return { workers, meta: { total: workers.length } };
  });
}
