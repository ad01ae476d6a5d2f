// GET /api/v2/…: the read side of the API, in Buildbot's list shape.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { describeBuilder } from './describe-builder.js';
import type { Config } from '../../shared/config.js';
import type { Db } from '../queue/open-database.js';
import type { BuildRow, RequestRow } from '../queue/build-store.js';
import { listRows } from './list-query.js';
import { buildToApi, requestToApi } from './to-api.js';
import { apiError, errorResponses } from './errors.js';
import { idParams, listQueryWith } from './schemas/common.js';
import { builderList } from './schemas/builders.js';
import { buildList } from './schemas/builds.js';
import { stepList, type ApiStep } from './schemas/steps.js';
import { buildRequestList } from './schemas/buildrequests.js';
import { changeList, type ApiChange } from './schemas/changes.js';
import { deliveryList, type ApiDelivery } from './schemas/deliveries.js';

export interface ReadRouteDeps {
  db: Db;
  config: Config;
}

const listErrors = errorResponses('validation_failed', 'bad_query');
const byIdErrors = errorResponses('validation_failed', 'build_not_found');

export async function readRoutes(fastify: FastifyInstance, { db, config }: ReadRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const countsByBuilder = db.prepare<[], { builder: string; state: string; n: number }>(
    `SELECT builder, state, COUNT(*) AS n FROM builds WHERE state != 'finished' GROUP BY builder, state`,
  );
  app.get('/api/v2/builders', { schema: { response: { 200: builderList, ...errorResponses() } } }, async () => {
    const counts = countsByBuilder.all();
    const count = (builder: string, state: string) => counts.find((c) => c.builder === builder && c.state === state)?.n ?? 0;
    const builders = config.builders.map((b) => ({
      ...describeBuilder(b, config),
      running: count(b.name, 'running'),
      queued: count(b.name, 'queued'),
    }));
    return { builders, meta: { total: builders.length } };
  });

  app.get('/api/v2/builds', { schema: { querystring: listQueryWith('builder', 'state', 'result', 'pr', 'sha', 'repo', 'worker'), response: { 200: buildList, ...listErrors } } }, async (req) => {
    const { rows, total } = listRows<BuildRow>(db, {
      table: 'builds',
      filters: { builder: 'builder', state: 'state', result: 'result', pr: 'pr', sha: 'sha', repo: 'repo', worker: 'worker' },
      orderable: ['id', 'number', 'created_at', 'started_at', 'finished_at'],
      defaultOrder: '-id',
    }, req.query);
    return { builds: rows.map(buildToApi), meta: { total } };
  });

  const buildById = db.prepare<[number], BuildRow>('SELECT * FROM builds WHERE id = ?');
  app.get('/api/v2/builds/:id', { schema: { params: idParams, response: { 200: buildList, ...byIdErrors } } }, async (req) => {
    const build = buildById.get(req.params.id);
    if (!build) throw apiError('build_not_found', req.params.id);
    return { builds: [buildToApi(build)], meta: { total: 1 } };
  });

  const stepsOf = db.prepare('SELECT step, name, state, result, exit_code, reason, started_at, finished_at, duration_ms, log_bytes FROM steps WHERE build_id = ? ORDER BY id');
  app.get('/api/v2/builds/:id/steps', { schema: { params: idParams, response: { 200: stepList, ...byIdErrors } } }, async (req) => {
    if (!buildById.get(req.params.id)) throw apiError('build_not_found', req.params.id);
    const steps = stepsOf.all(req.params.id) as ApiStep[];
    return { steps, meta: { total: steps.length } };
  });

  app.get('/api/v2/buildrequests', { schema: { querystring: listQueryWith('builder', 'state'), response: { 200: buildRequestList, ...listErrors } } }, async (req) => {
    const { rows, total } = listRows<RequestRow & BuildRow & { build_id: number }>(db, {
      table: `(SELECT r.*, b.id AS build_id, b.repo, b.pr, b.sha, b.reason FROM build_requests r JOIN builds b ON b.request_id = r.id)`,
      filters: { builder: 'builder', state: 'state' },
      orderable: ['id', 'created_at'],
      defaultOrder: 'id',
    }, req.query);
    return { buildrequests: rows.map(requestToApi), meta: { total } };
  });

  app.get('/api/v2/changes', { schema: { querystring: listQueryWith('kind', 'pr', 'sha', 'repo'), response: { 200: changeList, ...listErrors } } }, async (req) => {
    const { rows, total } = listRows<Record<string, unknown>>(db, {
      table: `(SELECT id, delivery_id, kind, repo, pr, sha, ref, author, title, state, created_at FROM changes)`,
      filters: { kind: 'kind', pr: 'pr', sha: 'sha', repo: 'repo' },
      orderable: ['id', 'created_at'],
      defaultOrder: '-id',
    }, req.query);
    return { changes: rows as ApiChange[], meta: { total } };
  });

  app.get('/api/v2/deliveries', { schema: { querystring: listQueryWith('event', 'outcome', 'pr', 'sha'), response: { 200: deliveryList, ...listErrors } } }, async (req) => {
    const { rows, total } = listRows<Record<string, unknown>>(db, {
      table: 'deliveries',
      filters: { event: 'event', outcome: 'outcome', pr: 'pr', sha: 'sha' },
      orderable: ['received_at'],
      defaultOrder: '-received_at',
    }, req.query);
    return { deliveries: rows as ApiDelivery[], meta: { total } };
  });
}
