// GET /api/v2/…: the read side of the API, in Buildbot's list shape.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { describeBuilder } from './describe-builder.js';
import type { Config } from '../../shared/config.js';
import type { Stores } from '../store/stores.js';
import { buildToApi, requestToApi } from './to-api.js';
import { apiError, errorResponses } from './errors.js';
import { idParams, listQueryWith } from './schemas/common.js';
import { builderList } from './schemas/builders.js';
import { buildList } from './schemas/builds.js';
import { stepList } from './schemas/steps.js';
import { buildRequestList } from './schemas/buildrequests.js';
import { changeList, type ApiChange } from './schemas/changes.js';
import { deliveryList } from './schemas/deliveries.js';

export interface ReadRouteDeps {
  stores: Stores;
  config: Config;
}

const listErrors = errorResponses('validation_failed', 'bad_query');
const byIdErrors = errorResponses('validation_failed', 'build_not_found');

export async function readRoutes(fastify: FastifyInstance, { stores, config }: ReadRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { builds: buildStore, requests, steps: stepStore, changes, deliveries } = stores;
  app.get('/api/v2/builders', { schema: { response: { 200: builderList, ...errorResponses() } } }, async () => {
    const counts = buildStore.openCounts();
    const count = (builder: string, state: string) => counts.find((c) => c.builder === builder && c.state === state)?.n ?? 0;
    const builders = config.builders.map((b) => ({
      ...describeBuilder(b, config, stores.scheduleRuns),
      running: count(b.name, 'running'),
      queued: count(b.name, 'queued'),
    }));
    return { builders, meta: { total: builders.length } };
  });

  app.get('/api/v2/builds', { schema: { querystring: listQueryWith('builder', 'state', 'result', 'pr', 'sha', 'repo', 'worker'), response: { 200: buildList, ...listErrors } } }, async (req) => {
    const { rows, total } = buildStore.list(req.query);
    return { builds: rows.map(buildToApi), meta: { total } };
  });

  app.get('/api/v2/builds/:id', { schema: { params: idParams, response: { 200: buildList, ...byIdErrors } } }, async (req) => {
    const build = buildStore.get(req.params.id);
    if (!build) throw apiError('build_not_found', req.params.id);
    return { builds: [buildToApi(build)], meta: { total: 1 } };
  });

  app.get('/api/v2/builds/:id/steps', { schema: { params: idParams, response: { 200: stepList, ...byIdErrors } } }, async (req) => {
    if (!buildStore.get(req.params.id)) throw apiError('build_not_found', req.params.id);
    const steps = stepStore.ofBuild(req.params.id);
    return { steps, meta: { total: steps.length } };
  });

  app.get('/api/v2/buildrequests', { schema: { querystring: listQueryWith('builder', 'state'), response: { 200: buildRequestList, ...listErrors } } }, async (req) => {
    const { rows, total } = requests.list(req.query);
    return { buildrequests: rows.map(requestToApi), meta: { total } };
  });

  app.get('/api/v2/changes', { schema: { querystring: listQueryWith('kind', 'pr', 'sha', 'repo'), response: { 200: changeList, ...listErrors } } }, async (req) => {
    const { rows, total } = changes.list(req.query);
    // The change store lists its rows untyped; the schema checks them on the way out.
    return { changes: rows as ApiChange[], meta: { total } };
  });

  app.get('/api/v2/deliveries', { schema: { querystring: listQueryWith('event', 'outcome', 'pr', 'sha'), response: { 200: deliveryList, ...listErrors } } }, async (req) => {
    const { rows, total } = deliveries.list(req.query);
    return { deliveries: rows, meta: { total } };
  });
}
