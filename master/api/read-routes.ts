// GET /api/v2/…: the read side of the API, in Buildbot's list shape.
import type { FastifyInstance } from 'fastify';
import { describeBuilder } from './describe-builder.js';
import type { Config } from '../../shared/config.js';
import type { Stores } from '../store/stores.js';
import type { ListQuery } from '../store/list-rows.js';
import { listQuerySchema } from './list-query.js';
import { buildToApi, requestToApi } from './to-api.js';

export interface ReadRouteDeps {
  stores: Stores;
  config: Config;
}

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
const withFilters = (...names: string[]) => ({
  ...listQuerySchema,
  properties: { ...listQuerySchema.properties, ...Object.fromEntries(names.map((n) => [n, { type: 'string' }])) },
});

export async function readRoutes(app: FastifyInstance, { stores, config }: ReadRouteDeps): Promise<void> {
  const { builds: buildStore, requests, steps: stepStore, changes, deliveries } = stores;
  app.get('/api/v2/builders', async () => {
    const counts = buildStore.openCounts();
    const count = (builder: string, state: string) => counts.find((c) => c.builder === builder && c.state === state)?.n ?? 0;
    const builders = config.builders.map((b) => ({
      ...describeBuilder(b, config),
      running: count(b.name, 'running'),
      queued: count(b.name, 'queued'),
    }));
    return { builders, meta: { total: builders.length } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/builds', { schema: { querystring: withFilters('builder', 'state', 'result', 'pr', 'sha', 'repo', 'worker') } }, async (req) => {
    const { rows, total } = buildStore.list(req.query);
    return { builds: rows.map(buildToApi), meta: { total } };
  });

  app.get<{ Params: { id: number } }>('/api/v2/builds/:id', { schema: { params: idParams } }, async (req, reply) => {
    const build = buildStore.get(req.params.id);
    if (!build) return reply.code(404).send({ error: `no build ${req.params.id}` });
    return { builds: [buildToApi(build)], meta: { total: 1 } };
  });

  app.get<{ Params: { id: number } }>('/api/v2/builds/:id/steps', { schema: { params: idParams } }, async (req, reply) => {
    if (!buildStore.get(req.params.id)) return reply.code(404).send({ error: `no build ${req.params.id}` });
    const steps = stepStore.ofBuild(req.params.id);
    return { steps, meta: { total: steps.length } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/buildrequests', { schema: { querystring: withFilters('builder', 'state') } }, async (req) => {
    const { rows, total } = requests.list(req.query);
    return { buildrequests: rows.map(requestToApi), meta: { total } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/changes', { schema: { querystring: withFilters('kind', 'pr', 'sha', 'repo') } }, async (req) => {
    const { rows, total } = changes.list(req.query);
    return { changes: rows, meta: { total } };
  });

  app.get<{ Querystring: ListQuery }>('/api/v2/deliveries', { schema: { querystring: withFilters('event', 'outcome', 'pr', 'sha') } }, async (req) => {
    const { rows, total } = deliveries.list(req.query);
    return { deliveries: rows, meta: { total } };
  });
}
