// The two actions: rebuild and cancel. Both need the admin token.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import type { Stores } from '../store/stores.js';
import type { ChangeProcessor } from '../triggers/change-processor.js';
import type { EventBus } from '../event-bus.js';
import type { Change } from '../intake/change.js';
import { requireAdmin } from './require-admin.js';
import { buildToApi } from './to-api.js';
import { apiError, errorResponses } from './errors.js';
import { idParams } from './schemas/common.js';
import { buildList } from './schemas/builds.js';
import { builderParams, rebuildBody } from './schemas/actions.js';

export interface ActionRouteDeps {
  stores: Stores;
  config: Config;
  processor: ChangeProcessor;
  bus: EventBus;
}

// Both actions may also meet a full disk (503) on the way in.
const adminErrors = ['admin_token_not_configured', 'admin_token_required', 'storage_full'] as const;

export async function actionRoutes(fastify: FastifyInstance, deps: ActionRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { config, processor, bus } = deps;
  const { builds, changes } = deps.stores;
  const admin = requireAdmin(config.http.adminToken);

  app.post(
    '/api/v2/builders/:name/rebuild',
    {
      preHandler: admin,
      schema: {
        params: builderParams,
        body: rebuildBody,
        response: { 202: buildList, ...errorResponses('validation_failed', ...adminErrors, 'builder_not_found', 'nothing_to_rebuild') },
      },
    },
    async (req, reply) => {
      const name = req.params.name;
      if (!config.builders.some((b) => b.name === name)) throw apiError('builder_not_found', name);
      const body = req.body ?? {};
      const from = actionSource(req.headers);
      const source = body.buildId !== undefined ? builds.get(body.buildId) : body.pr !== undefined ? builds.latestForPr(name, body.pr) : builds.latestWithSha(name);
      if (!source || source.builder !== name) throw apiError('nothing_to_rebuild', name, body.pr);
      const change: Change = {
        kind: 'rebuild', event: 'api', action: 'rebuild', repo: source.repo, cloneUrl: source.clone_url ?? '',
        pr: source.pr, sha: source.sha, ref: source.ref, baseRef: null, headRepo: null, author: 'admin',
        authorAssociation: null, title: null, draft: false, labels: [], label: null, headCommitMessage: null,
        changedFiles: null, comment: null, builder: name, reason: `rebuild of #${source.number} requested ${from}${body.force ? ' (forced)' : ''}`,
        ...(body.force ? { force: true } : {}),
      };
      const changeId = changes.insert(null, change);
      await processor.kick();
      const build = builds.fromChange(changeId);
      return reply.code(202).send({ builds: build ? [buildToApi(build)] : [], meta: { total: build ? 1 : 0 } });
    },
  );

  app.post(
    '/api/v2/builds/:id/cancel',
    { preHandler: admin, schema: { params: idParams, response: { 202: buildList, ...errorResponses('validation_failed', ...adminErrors, 'build_not_found', 'build_finished') } } },
    async (req, reply) => {
      const build = builds.get(req.params.id);
      if (!build) throw apiError('build_not_found', req.params.id);
      if (build.state === 'finished') throw apiError('build_finished', build.id, build.result);
      const why = `cancelled ${actionSource(req.headers)}`;
      if (build.state === 'queued') {
        builds.finish(build.id, 'cancelled', why);
        bus.emit({ type: 'build', build: builds.get(build.id) as BuildRow });
      } else {
        builds.requestCancel(build.id, why);
        bus.emit({ type: 'cancel-requested', buildId: build.id, reason: why });
      }
      return reply.code(202).send({ builds: [buildToApi(builds.get(build.id) as BuildRow)], meta: { total: 1 } });
    },
  );
}

/** Who asked, in the build's own words: the web UI says so with a header; anything else is the API. */
export const UI_CLIENT_HEADER = 'x-gatehouse-client';
function actionSource(headers: Record<string, string | string[] | undefined>): string {
  return headers[UI_CLIENT_HEADER] === 'ui' ? 'from the UI' : 'through the API';
}
