// Read-only endpoints the web UI needs beyond the generic list API: the builders page in one
// request (every configured builder, its state now, its last 15 builds and the workers that can
// run it), the waiting queue, page info, a build's artifacts and JUnit results, and what it reported
// (its commit statuses and its logs branch publication).
import { logsBranchUrl } from '../logs-branch/logs-web-url.js';
import { logsLocations } from '../logs-branch/logs-locations.js';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { describeBuilder } from './describe-builder.js';
import { builderNeeds, workerMatches } from '../dispatch/worker-match.js';
import type { Config } from '../../shared/config.js';
import type { Stores } from '../store/stores.js';
import type { WorkerSessions } from '../dispatch/worker-session.js';
import { createBuildSummaryReader } from '../logs/build-summary.js';
import { emptyJunitSummary } from '../logs/junit-summary.js';
import type { ArtifactFiles } from '../artifacts/artifact-files.js';
import { buildToApi, requestToApi } from './to-api.js';
import { apiError, errorResponses } from './errors.js';
import { idParams } from './schemas/common.js';
import { apiInfo, type ApiInfo } from './schemas/info.js';
import { builderSummaryList, type ApiBuilderSummary, type ApiBuilderWorker } from './schemas/builders.js';
import { queueList, queueQuery } from './schemas/buildrequests.js';
import { artifactContent, artifactList, artifactParams } from './schemas/artifacts.js';
import { apiJunit, type ApiJunit } from './schemas/junit.js';
import { apiBuildReporting, type ApiBuildReporting } from './schemas/reporting.js';
import { repositoryOf } from '../repos/repository-of.js';

export interface UiReadRouteDeps {
  stores: Stores;
  config: Config;
  sessions: WorkerSessions;
  artifactFiles: ArtifactFiles;
}

const RECENT = 15;

interface WorkerFacts {
  name: string;
  connected: boolean;
  arch: string[] | null;
  labels: string[];
  images: string[] | null;
}


const byIdErrors = errorResponses('validation_failed', 'build_not_found');

export async function uiReadRoutes(fastify: FastifyInstance, deps: UiReadRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { stores, config, sessions } = deps;
  const { builds, requests } = stores;
  const info: ApiInfo = {
    title: config.title,
    repo: repositoryOf(config).repo,
    repos: config.github.repos.map((r) => r.repo),
    web_url: config.github.webUrl.replace(/\/$/, ''),
    approve_command: config.github.approveCommand,
    logs: config.logs ? { branch: config.logs.branch, web_url: logsBranchUrl(config.logs) ?? null } : null,
    repo_logs: Object.fromEntries(logsLocations(config).slice(1).flatMap((l) => l.repos.map((repo) => [repo, { branch: l.branch, web_url: logsBranchUrl(l) ?? null }]))),
    actions: Boolean(config.http.adminToken),
  };
  app.get('/api/v2/ui/info', { schema: { response: { 200: apiInfo, ...errorResponses() } } }, async () => info);

  const parse = (json: string | null) => (json ? (JSON.parse(json) as string[]) : null);

  function knownWorkers(): WorkerFacts[] {
    const rows = new Map(stores.workers.all().map((r) => [r.name, r]));
    const names = [...new Set([...config.workers.map((w) => w.name), ...rows.keys()])];
    return names.map((name) => {
      const live = sessions.get(name);
      const row = rows.get(name);
      const configured = config.workers.find((w) => w.name === name);
      return {
        name,
        connected: live !== undefined,
        arch: live?.arch ?? parse(row?.arch ?? null),
        labels: live?.labels ?? parse(row?.labels ?? null) ?? configured?.labels ?? [],
        images: live?.images ?? parse(row?.images ?? null),
      };
    });
  }

  app.get('/api/v2/ui/builders', { schema: { response: { 200: builderSummaryList, ...errorResponses() } } }, async () => {
    const counts = builds.openCountsByRequest();
    const workers = knownWorkers();
    const count = (builder: string, test: (c: (typeof counts)[number]) => boolean) =>
      counts.filter((c) => c.builder === builder && test(c)).reduce((n, c) => n + c.n, 0);
    const builders: ApiBuilderSummary[] = config.builders.map((b) => {
      const running = count(b.name, (c) => c.state === 'running');
      const awaiting = count(b.name, (c) => c.state === 'queued' && c.request === 'awaiting-approval');
      const queued = count(b.name, (c) => c.state === 'queued' && c.request !== 'awaiting-approval');
      const able: ApiBuilderWorker[] = workers.filter((w) => workerMatches(w, builderNeeds(b, config))).map((w) => ({ name: w.name, connected: w.connected }));
      return {
        ...describeBuilder(b, config, stores.scheduleRuns),
        state: running > 0 ? 'running' : queued + awaiting > 0 ? 'waiting' : 'idle',
        running,
        queued,
        awaiting_approval: awaiting,
        recent: builds.recentOf(b.name, RECENT).map(buildToApi),
        workers: able,
      };
    });
    return { builders, meta: { total: builders.length } };
  });

  app.get(
    '/api/v2/queue',
    { schema: { querystring: queueQuery, response: { 200: queueList, ...errorResponses('validation_failed') } } },
    async (req) => {
      const rows = requests.waiting(req.query.limit, req.query.offset);
      return { buildrequests: rows.map((r) => ({ ...requestToApi(r), number: r.number })), meta: { total: requests.waitingCount() } };
    },
  );

  const buildExists = (id: number) => builds.get(id) !== undefined;

  app.get(
    '/api/v2/builds/:id/artifacts',
    { schema: { params: idParams, response: { 200: artifactList, ...byIdErrors } } },
    async (req) => {
      if (!buildExists(req.params.id)) throw apiError('build_not_found', req.params.id);
      const artifacts = stores.artifacts.ofBuild(req.params.id).map(({ stored_at: _, ...a }) => a);
      return { artifacts, meta: { total: artifacts.length } };
    },
  );

  // Bytes, streamed: typed by hand (the provider would type the reply as the schema's string).
  fastify.get<{ Params: z.infer<typeof artifactParams> }>(
    '/api/v2/builds/:id/artifacts/:artifact',
    { schema: { params: artifactParams, response: { 200: artifactContent, ...errorResponses('validation_failed', 'artifact_not_found') } } },
    async (req, reply) => {
      const a = stores.artifacts.ofBuild(req.params.id).find((x) => x.id === req.params.artifact);
      const content = a ? await deps.artifactFiles.open(a.stored_at) : undefined;
      if (!a || !content) throw apiError('artifact_not_found', req.params.id, req.params.artifact);
      const name = path.basename(a.path).replace(/[^A-Za-z0-9._-]/g, '_');
      reply.header('content-type', a.kind === 'junit' ? 'application/xml' : 'application/octet-stream');
      reply.header('content-disposition', `attachment; filename="${name}"`);
      return reply.send(content);
    },
  );

  // The same reading of the JUnit files as the commit status and the logs branch use.
  const readBuildSummary = createBuildSummaryReader(stores);
  app.get(
    '/api/v2/builds/:id/junit',
    { schema: { params: idParams, response: { 200: apiJunit, ...byIdErrors } } },
    async (req) => {
      if (!buildExists(req.params.id)) throw apiError('build_not_found', req.params.id);
      const summary = readBuildSummary(req.params.id);
      const junit: ApiJunit = { ...(summary.junit ?? emptyJunitSummary()), files: summary.junitFiles.map((f) => f.path) };
      return junit;
    },
  );

  app.get(
    '/api/v2/builds/:id/reporting',
    { schema: { params: idParams, response: { 200: apiBuildReporting, ...byIdErrors } } },
    async (req) => {
      if (!buildExists(req.params.id)) throw apiError('build_not_found', req.params.id);
      const statuses = stores.statuses.forBuild(req.params.id).map((r) => ({
        transition: r.transition, context: r.context, github_state: r.github_state, description: r.description, state: r.state,
        attempts: r.attempts, next_attempt_at: r.next_attempt_at, last_error: r.last_error, created_at: r.created_at, sent_at: r.sent_at,
      }));
      const p = stores.publications.get(req.params.id);
      const logs = p ? { wanted: p.wanted, published: p.published, attempts: p.attempts, next_attempt_at: p.next_attempt_at, last_error: p.last_error, updated_at: p.updated_at } : null;
      const body: ApiBuildReporting = { statuses, logs };
      return body;
    },
  );
}
