// The actions: rebuild, force and cancel. All need the admin token. A rebuild and a forced build
// both store a change for the builder and let the change processor queue it, as webhooks do.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import type { Stores } from '../store/stores.js';
import type { ChangeProcessor } from '../triggers/change-processor.js';
import type { EventBus } from '../event-bus.js';
import type { BuilderConfig } from '../../shared/config.js';
import { requestedChange } from '../triggers/requested-change.js';
import { resolveRef, type RefLookups } from '../triggers/resolve-ref.js';
import { askedRepo, builderRepo, repoCloneUrl } from '../triggers/builder-repo.js';
import { requireAdmin } from './require-admin.js';
import { buildToApi } from './to-api.js';
import { apiError, errorResponses } from './errors.js';
import { idParams } from './schemas/common.js';
import { buildList } from './schemas/builds.js';
import { builderParams, forceBody, rebuildBody } from './schemas/actions.js';

export interface ActionRouteDeps {
  stores: Stores;
  config: Config;
  processor: ChangeProcessor;
  bus: EventBus;
  /** Resolves what a forced build names; without it forced builds are refused. */
  github: RefLookups | undefined;
}

// Every action may also meet a full disk (503) on the way in.
const adminErrors = ['admin_token_not_configured', 'admin_token_required', 'storage_full'] as const;

export async function actionRoutes(fastify: FastifyInstance, deps: ActionRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { config, processor, bus } = deps;
  const { builds, changes } = deps.stores;
  const admin = requireAdmin(config.http.adminToken);
  /** Let the processor turn the stored change into its build, and answer with that build. */
  const queue = async (changeId: number) => {
    await processor.kick();
    const build = builds.fromChange(changeId);
    return { builds: build ? [buildToApi(build)] : [], meta: { total: build ? 1 : 0 } };
  };

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
      const change = requestedChange({
        kind: 'rebuild', builder: name, repo: source.repo, cloneUrl: source.clone_url ?? '', pr: source.pr, sha: source.sha, ref: source.ref,
        author: 'admin', reason: `rebuild of #${source.number} requested ${from}${body.force ? ' (forced)' : ''}`,
        ...(body.force ? { force: true } : {}),
        // A forced build's properties are part of what it built.
        ...(source.properties ? { properties: JSON.parse(source.properties) as Record<string, string> } : {}),
      });
      return reply.code(202).send(await queue(changes.insert(null, change)));
    },
  );

  app.post(
    '/api/v2/builders/:name/force',
    {
      preHandler: admin,
      schema: {
        params: builderParams,
        body: forceBody,
        response: { 202: buildList, ...errorResponses('validation_failed', ...adminErrors, 'builder_not_found', 'repo_not_built', 'unknown_property', 'ref_not_found', 'github_unavailable') },
      },
    },
    async (req, reply) => {
      const builder = config.builders.find((b) => b.name === req.params.name);
      if (!builder) throw apiError('builder_not_found', req.params.name);
      const properties = checkProperties(builder, req.body.properties ?? {});
      if (!deps.github) throw apiError('github_unavailable', 'this master has no GitHub API access (github.token or github.app)');
      const repo = req.body.repo === undefined ? builderRepo(config, builder) : askedRepo(config, builder, req.body.repo);
      if (!repo) throw apiError('repo_not_built', builder.name, req.body.repo ?? '');
      const resolved = await resolveRef(deps.github, repo, req.body.ref).catch((error: unknown) => {
        throw apiError('github_unavailable', (error as Error).message);
      });
      if (!resolved) throw apiError('ref_not_found', repo, req.body.ref);
      const by = req.body.by ? ` by ${req.body.by}` : '';
      const change = requestedChange({
        kind: 'force', builder: builder.name, repo, cloneUrl: repoCloneUrl(config, repo), pr: resolved.pr, sha: resolved.sha, ref: resolved.ref,
        author: req.body.by ?? 'admin', properties, ...(req.body.priority !== undefined ? { priority: req.body.priority } : {}),
        reason: `forced build of ${req.body.ref} (${resolved.sha.slice(0, 7)}) requested ${actionSource(req.headers)}${by}`,
      });
      return reply.code(202).send(await queue(changes.insert(null, change)));
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

/** The properties a forced build sets: only ones the builder declares, within their choices. */
function checkProperties(builder: BuilderConfig, given: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(given)) {
    const declared = builder.properties[name];
    if (!declared) {
      const known = Object.keys(builder.properties);
      throw apiError('unknown_property', builder.name, `no property "${name}" (it declares ${known.length ? known.join(', ') : 'none'})`);
    }
    if (declared.choices && !declared.choices.includes(value)) throw apiError('unknown_property', builder.name, `property "${name}" is one of ${declared.choices.join(', ')}, not "${value}"`);
  }
  return given;
}

/** Who asked, in the build's own words: the web UI says so with a header; anything else is the API. */
export const UI_CLIENT_HEADER = 'x-gatehouse-client';
function actionSource(headers: Record<string, string | string[] | undefined>): string {
  const client = headers[UI_CLIENT_HEADER];
  return client === 'ui' ? 'from the UI' : client === 'cli' ? 'from the CLI' : 'through the API';
}
