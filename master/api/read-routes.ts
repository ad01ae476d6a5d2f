// GET /api/v2/…: the read side of the API, in Buildbot's list shape.
import type { FastifyInstance } from 'fastify';
import { describeBuilder } from './describe-builder.js';
import type { Config } from '../../shared/config.js';
import type { Db } from '../queue/open-database.js';
import type { BuildRow, RequestRow } from '../queue/build-store.js';
import { listRows, listQuerySchema, type ListQuery } from './list-query.js';
import { buildToApi, requestToApi } from './to-api.js';

export interface ReadRouteDeps {
  db: Db;
  config: Config;
}

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
const withFilters = (...names: string[]) => ({
  ...listQuerySchema,
  properties: { ...listQuerySchema.properties, ...Object.fromEntries(names.map((n) => [n, { type: 'string' }])) },
});

export async function readRoutes(app: FastifyInstance, { db, config }: ReadRouteDeps): Promise<void> {
  const countsByBuilder = db.prepare<[], { builder: string; state: string; n: number }>(
    `SELECT builder, state, COUNT(*) AS n FROM builds WHERE state != 'finished' GROUP BY builder, state`,
  );
  app.get('/api/v2/builders', async () => {
    const counts = countsByBuilder.all();
    const count = (builder: string, state: string) => counts.find((c) => c.builder === builder && c.state === state)?.n ?? 0;
    const builders = config.builders.map((b) => ({
      ...describeBuilder(b, config),
      running: count(b.name, 'running'),
      queued: count(b.name, 'queued'),
    }));
    return { builders, meta: { total: builders.length } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/builds', { schema: { querystring: withFilters('builder', 'state', 'result', 'pr', 'sha', 'repo', 'worker') } }, async (req) => {
    const { rows, total } = listRows<BuildRow>(db, {
      table: 'builds',
      filters: { builder: 'builder', state: 'state', result: 'result', pr: 'pr', sha: 'sha', repo: 'repo', worker: 'worker' },
      orderable: ['id', 'number', 'created_at', 'started_at', 'finished_at'],
      defaultOrder: '-id',
    }, req.query);
    return { builds: rows.map(buildToApi), meta: { total } };
  });

  const buildById = db.prepare<[number], BuildRow>('SELECT * FROM builds WHERE id = ?');
  app.get<{ Params: { id: number } }>('/api/v2/builds/:id', { schema: { params: idParams } }, async (req, reply) => {
    const build = buildById.get(req.params.id);
    if (!build) return reply.code(404).send({ error: `no build ${req.params.id}` });
    return { builds: [buildToApi(build)], meta: { total: 1 } };
  });

  const stepsOf = db.prepare('SELECT step, name, state, result, exit_code, reason, started_at, finished_at, duration_ms, log_bytes FROM steps WHERE build_id = ? ORDER BY id');
  app.get<{ Params: { id: number } }>('/api/v2/builds/:id/steps', { schema: { params: idParams } }, async (req, reply) => {
    if (!buildById.get(req.params.id)) return reply.code(404).send({ error: `no build ${req.params.id}` });
    const steps = stepsOf.all(req.params.id);
    return { steps, meta: { total: steps.length } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/buildrequests', { schema: { querystring: withFilters('builder', 'state') } }, async (req) => {
    const { rows, total } = listRows<RequestRow & BuildRow & { build_id: number }>(db, {
      table: `(SELECT r.*, b.id AS build_id, b.repo, b.pr, b.sha, b.reason FROM build_requests r JOIN builds b ON b.request_id = r.id)`,
      filters: { builder: 'builder', state: 'state' },
      orderable: ['id', 'created_at'],
      defaultOrder: 'id',
    }, req.query);
    return { buildrequests: rows.map(requestToApi), meta: { total } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/changes', { schema: { querystring: withFilters('kind', 'pr', 'sha', 'repo') } }, async (req) => {
    const { rows, total } = listRows<Record<string, unknown>>(db, {
      table: `(SELECT id, delivery_id, kind, repo, pr, sha, ref, author, title, state, created_at FROM changes)`,
      filters: { kind: 'kind', pr: 'pr', sha: 'sha', repo: 'repo' },
      orderable: ['id', 'created_at'],
      defaultOrder: '-id',
    }, req.query);
    return { changes: rows, meta: { total } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/deliveries', { schema: { querystring: withFilters('event', 'outcome', 'pr', 'sha') } }, async (req) => {
    const { rows, total } = listRows<Record<string, unknown>>(db, {
      table: 'deliveries',
      filters: { event: 'event', outcome: 'outcome', pr: 'pr', sha: 'sha' },
      orderable: ['received_at'],
      defaultOrder: '-received_at',
    }, req.query);
    return { deliveries: rows, meta: { total } };
  });
}
