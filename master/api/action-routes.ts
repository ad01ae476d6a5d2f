// The two actions: rebuild and cancel. Both need the admin token.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import type { Stores } from '../store/stores.js';
import type { ChangeProcessor } from '../triggers/change-processor.js';
import type { EventBus } from '../event-bus.js';
import type { Change } from '../intake/change.js';
import { requireAdmin } from './require-admin.js';
import { buildToApi } from './to-api.js';

export interface ActionRouteDeps {
  stores: Stores;
  config: Config;
  processor: ChangeProcessor;
  bus: EventBus;
}

export async function actionRoutes(app: FastifyInstance, deps: ActionRouteDeps): Promise<void> {
  const { config, processor, bus } = deps;
  const { builds, changes } = deps.stores;
  const admin = requireAdmin(config.http.adminToken);

  app.post<{ Params: { name: string }; Body: { buildId?: number; pr?: number } | undefined }>(
    '/api/v2/builders/:name/rebuild',
    {
      preHandler: admin,
      schema: {
        body: { type: ['object', 'null'], properties: { buildId: { type: 'integer' }, pr: { type: 'integer' } }, additionalProperties: false },
      },
    },
    async (req, reply) => {
      const name = req.params.name;
      if (!config.builders.some((b) => b.name === name)) return reply.code(404).send({ error: `no builder "${name}"` });
      const body = req.body ?? {};
      const source = body.buildId !== undefined ? builds.get(body.buildId) : body.pr !== undefined ? builds.latestForPr(name, body.pr) : builds.latestWithSha(name);
      if (!source || source.builder !== name) return reply.code(404).send({ error: `no earlier build of "${name}" to rebuild${body.pr ? ` for PR #${body.pr}` : ''}` });
      const change: Change = {
        kind: 'rebuild', event: 'api', action: 'rebuild', repo: source.repo, cloneUrl: source.clone_url ?? '',
        pr: source.pr, sha: source.sha, ref: source.ref, baseRef: null, headRepo: null, author: 'admin',
        authorAssociation: null, title: null, draft: false, labels: [], label: null, headCommitMessage: null,
        changedFiles: null, comment: null, builder: name, reason: `rebuild of #${source.number} (API)`,
      };
      const changeId = changes.insert(null, change);
      await processor.kick();
      const build = builds.fromChange(changeId);
      return reply.code(202).send({ builds: build ? [buildToApi(build)] : [], meta: { total: build ? 1 : 0 } });
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v2/builds/:id/cancel',
    { preHandler: admin, schema: { params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
    async (req, reply) => {
      const build = builds.get(req.params.id);
      if (!build) return reply.code(404).send({ error: `no build ${req.params.id}` });
      if (build.state === 'finished') return reply.code(409).send({ error: `build ${build.id} already finished (${build.result})` });
      const why = 'cancelled through the API';
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
