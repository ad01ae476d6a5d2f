// GET /api/v2/workers: configured and known workers, with what the connected ones do now.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../shared/config.js';
import type { Db } from '../queue/open-database.js';
import type { WorkerSessions } from '../dispatch/worker-session.js';
import { errorResponses } from './errors.js';
import { workerList, type ApiImageFamily } from './schemas/workers.js';

interface WorkerRow {
  name: string;
  connected: number;
  connected_at: number | null;
  last_seen: number | null;
  version: string | null;
  slots: number | null;
  arch: string | null;
  labels: string | null;
  images: string | null;
  image_versions: string | null;
}

export async function workerRoutes(app: FastifyInstance, deps: { db: Db; config: Config; sessions: WorkerSessions }): Promise<void> {
  const rows = deps.db.prepare<[], WorkerRow>('SELECT * FROM workers');
  const running = deps.db.prepare<[], { worker: string; id: number }>(`SELECT worker, id FROM builds WHERE state = 'running' AND worker IS NOT NULL`);
  app.withTypeProvider<ZodTypeProvider>().get('/api/v2/workers', { schema: { response: { 200: workerList, ...errorResponses() } } }, async () => {
    const known = new Map(rows.all().map((r) => [r.name, r]));
    const builds = running.all();
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
