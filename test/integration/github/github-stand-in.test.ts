// The stand-in itself: it must be able to say no. Requests and responses that do not match GitHub's
// OpenAPI description are answered 422 (requests) and recorded, and close() then fails.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommitState } from '../../../master/github/github-client.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';

const REPO = 'acme/widgets';
const SHA = '1'.repeat(40);
const UA = { 'user-agent': 'stand-in-test' };
let gh: GitHubStandIn;

beforeEach(async () => {
  gh = await startGitHubStandIn({ repos: { [REPO]: { pulls: [{ number: 3, head: { sha: SHA } }] } } });
});
afterEach(async () => {
  await gh.close();
});

async function post(path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const response = await fetch(gh.url + path, { method: 'POST', body, headers: { ...UA, ...headers } });
  return { status: response.status, body: (await response.json()) as { errors?: string[] } };
}

describe('request validation', () => {
  it("refuses createStatus with state 'bogus' from the real client: 422, recorded", async () => {
    const client = createTestGitHubClient(gh);
    const error = await client.createStatus(REPO, SHA, { state: 'bogus' as CommitState, context: 'c', description: 'd' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GitHubApiError', status: 422, transient: false });
    expect(gh.statuses).toHaveLength(0);
    const errors = gh.takeValidationErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/POST \/repos\/acme\/widgets\/statuses\/1{40}: request does not match repos\/create-commit-status: body\/state must be equal to one of the allowed values/);
  });

  it('makes close() fail while an error is left', async () => {
    await post(`/repos/${REPO}/statuses/${SHA}`, '{"state":"bogus"}');
    await expect(gh.close()).rejects.toThrow(/1 request\(s\) or response\(s\) did not match GitHub's OpenAPI description/);
    gh.takeValidationErrors(); // so that afterEach's close() passes
  });

  it('refuses a body without a JSON content type, an unknown body field, and a missing body', async () => {
    expect((await post(`/repos/${REPO}/statuses/${SHA}`, '{"state":"success"}', { 'content-type': 'text/plain' })).status).toBe(422);
    expect((await post(`/repos/${REPO}/statuses/${SHA}`, '{"state":"success","colour":"red"}')).status).toBe(422);
    expect((await post(`/repos/${REPO}/statuses/${SHA}`, '')).status).toBe(422);
    expect((await post(`/repos/${REPO}/statuses/${SHA}`, '{not json')).status).toBe(422);
    expect(gh.takeValidationErrors().join('\n')).toMatch(/Content-Type "text\/plain"[\s\S]*must NOT have additional properties[\s\S]*requires a request body[\s\S]*not valid JSON/);
  });

  it('refuses bad path and query parameters, a missing User-Agent, and unknown routes', async () => {
    const get = (path: string, headers: Record<string, string> = UA) => fetch(gh.url + path, { headers }).then((r) => r.status);
    expect(await get(`/repos/${REPO}/pulls/three`)).toBe(422);
    expect(await get(`/repos/${REPO}/pulls?state=merged`)).toBe(422);
    expect(await get(`/repos/${REPO}/pulls?sorted=yes`)).toBe(422);
    // fetch always sends a User-Agent; node:http sends none unless told.
    const bare = await new Promise<number>((resolve, reject) => http.get(`${gh.url}/repos/${REPO}/pulls/3`, (res) => resolve(res.resume().statusCode!)).on('error', reject));
    expect(bare).toBe(422);
    expect(await get(`/repos/${REPO}/issues/3/labels`)).toBe(404);
    const errors = gh.takeValidationErrors().join('\n');
    expect(errors).toMatch(/path\/pull_number must be integer/);
    expect(errors).toMatch(/query\/state must be equal to one of the allowed values/);
    expect(errors).toMatch(/query must NOT have additional properties \{"additionalProperty":"sorted"\}/);
    expect(errors).toMatch(/User-Agent is required/);
    expect(errors).toMatch(/issues\/3\/labels: no operation of the stand-in matches/);
  });

  it("records a description over GitHub's 140 characters", async () => {
    expect((await post(`/repos/${REPO}/statuses/${SHA}`, JSON.stringify({ state: 'success', description: 'x'.repeat(141) }))).status).toBe(422);
    expect(gh.takeValidationErrors()).toEqual([`POST /repos/${REPO}/statuses/${SHA}: description is 141 characters; GitHub allows 140`]);
  });
});

describe('response validation', () => {
  it('records a response the state made invalid (the stand-in checks itself too)', async () => {
    gh.state.pull(REPO, 3).authorAssociation = 'BOSS' as never;
    const response = await fetch(`${gh.url}/repos/${REPO}/pulls/3`, { headers: UA });
    expect(response.status).toBe(200);
    expect(gh.takeValidationErrors().join('\n')).toMatch(/response 200 body\/author_association must be equal to one of the allowed values/);
  });

  it('answers an App token request whose JWT does not verify with 401, a described response', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const app = await startGitHubStandIn({ app: { appId: 1, publicKey, installationId: 2 } });
    const status = await fetch(`${app.url}/app/installations/2/access_tokens`, { method: 'POST', headers: { ...UA, authorization: 'Bearer not.a.jwt' } }).then((r) => r.status);
    expect(status).toBe(401);
    expect(app.requests[0]).toMatchObject({ operationId: 'apps/create-installation-access-token', tokenKind: 'jwt', status: 401 });
    await app.close();
  });
});

describe('fault injection', () => {
  it('fails the next N matching requests only, by template, path or RegExp', async () => {
    gh.failNext('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', { status: 503 }, 2);
    gh.failNext('get', /\/pulls\/3$/, { status: 403, rateLimitReset: 2_000_000_000 });
    const get = () => fetch(`${gh.url}/repos/${REPO}/pulls/3`, { headers: UA });
    expect((await get()).status).toBe(503);
    expect((await get()).status).toBe(503);
    const limited = await get();
    expect([limited.status, limited.headers.get('x-ratelimit-remaining'), limited.headers.get('x-ratelimit-reset')]).toEqual([403, '0', '2000000000']);
    expect((await get()).status).toBe(200);
  });
});
