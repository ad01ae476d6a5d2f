// The published OpenAPI description is the API: a real master with builds, steps, logs, JUnit
// results, a worker and a queue answers every route the document lists, and each answer matches
// the response the document gives for its status (JSON bodies through ajv's JSON Schema 2020-12,
// other answers by their content type). A route without a response for a status it answers fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpenAPIV3_1 } from 'openapi-types';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { deliveryList } from '../../../master/api/schemas/deliveries.js';
import { TEST_SECRETS } from '../../support/test-config.js';
import { WORKER_NAME_HEADER } from '../../../shared/protocol.js';
import { FakeWorker } from '../../ui/fake-worker.js';
import { prPayload, startUiMaster, type UiMaster } from '../../ui/ui-master.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { TEST_REPO } from '../../support/test-config.js';

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="volumes" tests="2" failures="1">
  <testcase classname="volumes.LvmTest" name="test_create"/>
  <testcase classname="volumes.LvmTest" name="test_resize"><failure message="expected 2 GiB">at volumes.py:88</failure></testcase>
</testsuite></testsuites>`;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

interface Answer {
  status: number;
  contentType: string;
  /** The parsed body of a JSON answer; the first bytes of a stream otherwise. */
  body: unknown;
}

/** Check what OpenAPI 3.1 requires of the parts this document uses; returns the problems found. */
function openApi31Problems(doc: OpenAPIV3_1.Document, ajv: Ajv2020): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${doc.openapi}, not 3.1.x`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') problems.push('info needs a title and a version');
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const inPath = (op.parameters ?? []).filter((p): p is OpenAPIV3_1.ParameterObject => 'in' in p && p.in === 'path');
      for (const name of templated) if (!inPath.some((p) => p.name === name && p.required === true)) problems.push(`${where}: path parameter ${name} not declared as required`);
      for (const p of inPath) if (!templated.includes(p.name)) problems.push(`${where}: path parameter ${p.name} is not in the path`);
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: response key ${status} is not a status`);
        if ('$ref' in response) continue;
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (!media.schema) problems.push(`${where} ${status} ${type}: no schema`);
          else {
            try {
              ajv.compile(media.schema);
            } catch (error) {
              problems.push(`${where} ${status} ${type}: schema does not compile (${(error as Error).message})`);
            }
          }
        }
      }
    }
  }
  return problems;
}

/** Call a route; a stream's answer is cut after its first chunk. */
async function call(url: string, method: Method, headers: Record<string, string>, body?: string): Promise<Answer> {
  const abort = new AbortController();
  const res = await fetch(url, { method: method.toUpperCase(), headers, body, signal: abort.signal });
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0] as string;
  if (contentType === 'text/event-stream') {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    abort.abort();
    return { status: res.status, contentType, body: new TextDecoder().decode(first.value) };
  }
  const text = await res.text();
  return { status: res.status, contentType, body: contentType === 'application/json' ? JSON.parse(text) : text };
}

describe('GET /api/v2/openapi.json', () => {
  let master: UiMaster;
  let gh: GitHubStandIn;
  let worker: FakeWorker;
  let doc: OpenAPIV3_1.Document;
  const ids: Record<string, string> = {};
  const ajv = new Ajv2020({ strict: true, allErrors: true });

  beforeAll(async () => {
    // Forced builds resolve their ref through GitHub: the stand-in knows main.
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { refs: { 'refs/heads/main': 'f'.repeat(40) } } } });
    master = await startUiMaster({}, createTestGitHubClient(gh));
    // PR 7 builds `unit` (on the worker, to the end) and `lvm` (no worker has its label: it waits).
    await master.send('pull_request', prPayload(7, 'a'.repeat(40)));
    worker = await FakeWorker.connect(master.url);
    const spec = await worker.build(0);
    await worker.stepStarted(spec.buildId, '0', 'compile');
    await worker.log(spec.buildId, '0', 'cc -c app.c\n');
    await worker.stepFinished(spec.buildId, '0', 'success', 0);
    await worker.stepStarted(spec.buildId, '1', 'test');
    await worker.log(spec.buildId, '1', 'FAIL test_resize\n', 'stderr');
    await worker.junit(spec.buildId, '1', 'results/junit.xml', JUNIT);
    await worker.stepFinished(spec.buildId, '1', 'failure', 2);
    await worker.buildFinished(spec.buildId, 'failure', 'step test failed');
    const artifacts = await master.get<{ artifacts: Array<{ id: number }> }>(`/api/v2/builds/${spec.buildId}/artifacts`);
    const waiting = await master.get<{ builds: Array<{ id: number }> }>('/api/v2/builds?builder=lvm');
    Object.assign(ids, { id: String(spec.buildId), step: '1', artifact: String(artifacts.artifacts[0]?.id), name: 'unit', build: String(spec.buildId) });
    ids.waiting = String(waiting.builds[0]?.id);
    doc = (await call(`${master.url}/api/v2/openapi.json`, 'get', {})).body as OpenAPIV3_1.Document;
  }, 60_000);
  afterAll(async () => {
    worker?.close();
    await master?.stop();
    await gh?.close();
  });

  it('is an OpenAPI 3.1 document describing every /api route', () => {
    expect(openApi31Problems(doc, ajv)).toEqual([]);
    const paths = Object.keys(doc.paths ?? {});
    for (const path of ['/api/v2/builds', '/api/v2/builds/{id}/steps/{step}/log', '/api/v2/events', '/api/v2/ui/builders', '/api/v2/builders/{name}/rebuild', '/api/v2/builders/{name}/force', '/api/worker/uploads']) {
      expect(paths).toContain(path);
    }
    expect(paths.filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });

  it('answers every route it lists with a response it documents', async () => {
    const worker = { authorization: `Bearer ${TEST_SECRETS.WORKER_SECRET}`, [WORKER_NAME_HEADER]: 'w1' };
    const admin = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const mismatches: string[] = [];
    let calls = 0;
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of METHODS) {
        const op = item?.[method];
        if (!op) continue;
        // Cancel the build that waits (a finished one would only say 409); the rest take the finished build.
        const params = path.endsWith('/cancel') ? { ...ids, id: ids.waiting as string } : ids;
        const query = (op.parameters ?? [])
          .filter((p): p is OpenAPIV3_1.ParameterObject => 'in' in p && p.in === 'query' && p.required === true)
          .map((p) => `${p.name}=${params[p.name]}`);
        const urlWith = (values: Record<string, string>) => `${master.url}${path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] as string)}${query.length ? `?${query.join('&')}` : ''}`;
        const url = urlWith(params);
        const headers = path.startsWith('/api/worker/') ? worker : method === 'get' ? {} : admin;
        const body = method === 'put' ? 'bytes' : path.endsWith('/force') ? JSON.stringify({ ref: 'main' }) : '{}';
        const answer = await call(url, method, headers, method === 'get' ? undefined : body);
        calls++;
        // Real ids get a success (a schema stricter than the data would make it a documented 500);
        // the worker routes refuse (no build of theirs is running), which is what they can be asked here.
        const expected = path === '/api/worker/uploads' ? 409 : path.startsWith('/api/worker/') ? 403 : 'a success';
        if (expected === 'a success' ? answer.status >= 300 : answer.status !== expected) {
          mismatches.push(`${method.toUpperCase()} ${path}: answered ${answer.status}, expected ${expected} (${JSON.stringify(answer.body).slice(0, 200)})`);
        }
        mismatches.push(...mismatch(`${method.toUpperCase()} ${path}`, op, answer));
        // Where a route can say 404, ask for what does not exist and check that answer too.
        if (op.responses?.['404'] && path.includes('{id}') && !path.startsWith('/api/worker/')) {
          const missing = await call(urlWith({ ...params, id: '999999' }), method, headers, method === 'get' ? undefined : '{}');
          expect(missing.status, `${method} ${path} for a missing build`).toBe(404);
          mismatches.push(...mismatch(`${method.toUpperCase()} ${path} (missing)`, op, missing));
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(20);
  }, 60_000);

  /** Why `answer` is not a response `op` documents (empty when it is). */
  function mismatch(where: string, op: OpenAPIV3_1.OperationObject, answer: Answer): string[] {
    const response = op.responses?.[String(answer.status)] as OpenAPIV3_1.ResponseObject | undefined;
    if (!response) return [`${where}: answered ${answer.status}, which it does not document (${JSON.stringify(answer.body).slice(0, 200)})`];
    const media = response.content?.[answer.contentType];
    if (!media) return [`${where} ${answer.status}: answered ${answer.contentType}, documented ${Object.keys(response.content ?? {}).join(', ') || 'no body'}`];
    if (answer.contentType !== 'application/json') return [];
    if (!media.schema) return [`${where} ${answer.status}: no response schema`];
    const validate = ajv.compile(media.schema);
    return validate(answer.body) ? [] : [`${where} ${answer.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(answer.body).slice(0, 300)}`];
  }

  it('keeps unlisted columns out of an answer', async () => {
    const build = (await call(`${master.url}/api/v2/builds/${ids.id}`, 'get', {})).body as { builds: Array<Record<string, unknown>> };
    expect(build.builds[0]).toHaveProperty('builder', 'unit');
    expect(build.builds[0]).not.toHaveProperty('clone_url');
    expect(build.builds[0]).not.toHaveProperty('request_id');
  });

  it('leaves out of an answer any key its schema does not list (the serializer strips them)', () => {
    const serialize = serializerCompiler({ schema: deliveryList, method: 'GET', url: '/api/v2/deliveries', httpStatus: '200' });
    const row = { id: 'd1', event: 'ping', action: null, repo: null, pr: null, sha: null, outcome: 'ignored', detail: null, received_at: 1, payload_path: '/secret' };
    const { payload_path: _, ...listed } = row;
    expect(JSON.parse(serialize({ deliveries: [row], meta: { total: 1 } }))).toStrictEqual({ deliveries: [listed], meta: { total: 1 } });
  });

  it('answers errors with their catalogue code', async () => {
    expect((await call(`${master.url}/api/v2/builds/999999`, 'get', {})).body).toEqual({ error: 'no build 999999', code: 'build_not_found' });
    expect((await call(`${master.url}/api/v2/builds?limit=0`, 'get', {})).body).toMatchObject({ code: 'validation_failed', error: expect.stringContaining('limit') });
    expect((await call(`${master.url}/api/v2/builds?order=-sha`, 'get', {})).body).toMatchObject({ code: 'bad_query' });
    const refused = await call(`${master.url}/api/v2/builds/${ids.id}/cancel`, 'post', { 'content-type': 'application/json' }, '{}');
    expect(refused).toMatchObject({ status: 401, body: { code: 'admin_token_required', error: 'admin token required (Authorization: Bearer <token>)' } });
  });
});
