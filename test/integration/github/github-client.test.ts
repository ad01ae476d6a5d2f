// The master's GitHub client against the local stand-in, which checks every request and response
// against GitHub's OpenAPI description: afterEach closes it, and close() fails on any mismatch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../../master/github/github-client.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';

const REPO = 'acme/widgets';
const SHA = 'a'.repeat(40);
const TOKEN = 'ghp_standInToken0123456789abcdefghijklmn';
/** Short waits, no spacing of writes: the retries are what is tested, not the clock. */
const FAST: GitHubClientOptions = { waitUnitMs: 1, writeIntervalMs: 0, logger: { debug: () => {}, warn: () => {} } };

let gh: GitHubStandIn;
let client: GitHubClient;

beforeEach(async () => {
  gh = await startGitHubStandIn({
    tokens: [TOKEN],
    repos: {
      [REPO]: {
        pulls: [
          { number: 7, head: { sha: SHA, ref: 'feature', repo: 'forker/widgets' }, base: { ref: 'main' }, title: 'Add gears', author: 'forker', authorAssociation: 'FIRST_TIME_CONTRIBUTOR', labels: ['no_lvm', 'docs'], draft: true, files: ['src/a.py', { filename: 'docs/new.md', previousFilename: 'docs/old.md' }], commitMessage: 'Add gears\n\n[skip ci]' },
          { number: 8, head: { sha: 'b'.repeat(40) }, title: 'Closed one', state: 'closed' },
          { number: 9, head: { sha: 'c'.repeat(40), repo: null }, title: 'From a deleted fork', author: 'ghosted' },
        ],
        collaborators: { alice: 'admin', mo: 'maintain', tri: 'triage', rita: 'read' },
        refs: { 'refs/heads/main': 'd'.repeat(40), 'refs/tags/v1.0': 'e'.repeat(40) },
      },
    },
    orgs: { acme: ['alice'], secretive: { members: ['alice'], requesterIsMember: false } },
  });
  client = createGitHubClient({ apiUrl: gh.url, token: TOKEN }, FAST);
});

afterEach(async () => {
  await gh.close();
});

describe('GitHub client against the stand-in', () => {
  it('gets a pull request as a summary', async () => {
    expect(await client.getPull(REPO, 7)).toEqual({
      number: 7, headSha: SHA, headRef: 'feature', headRepo: 'forker/widgets', baseRef: 'main', baseRepo: REPO, title: 'Add gears',
      draft: true, state: 'open', author: 'forker', authorAssociation: 'FIRST_TIME_CONTRIBUTOR', labels: ['no_lvm', 'docs'],
    });
    expect((await client.getPull(REPO, 9)).headRepo).toBeNull();
    const [request] = gh.requests;
    expect(request).toMatchObject({ method: 'GET', path: `/repos/${REPO}/pulls/7`, operationId: 'pulls/get', tokenPresented: true, tokenKind: 'token' });
    expect(request!.headers.authorization).toBe('[redacted]');
  });

  it('lists changed files, with the old name of a renamed file', async () => {
    expect(await client.listPullFiles(REPO, 7)).toEqual(['src/a.py', 'docs/new.md', 'docs/old.md']);
  });

  it('pages through more than 100 files', async () => {
    const files = Array.from({ length: 250 }, (_, i) => `src/file-${String(i).padStart(3, '0')}.ts`);
    gh.state.addPull(REPO, { number: 20, head: { sha: 'd'.repeat(40) }, files });
    expect(await client.listPullFiles(REPO, 20)).toEqual(files);
    const pages = gh.requests.filter((r) => r.operationId === 'pulls/list-files');
    expect(pages.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(pages.every((r) => r.query.per_page === '100')).toBe(true);
  });

  it('stops at the 3000 files GitHub lists', async () => {
    gh.state.addPull(REPO, { number: 21, head: { sha: 'e'.repeat(40) }, files: Array.from({ length: 3005 }, (_, i) => `f${i}`) });
    expect(await client.listPullFiles(REPO, 21)).toHaveLength(3000);
  });

  it('lists open pull requests only, over several pages', async () => {
    for (let n = 100; n < 230; n++) gh.state.addPull(REPO, { number: n, head: { sha: n.toString(16).padStart(40, '0') } });
    const open = await client.listOpenPulls(REPO);
    expect(open).toHaveLength(132);
    expect(open.some((p) => p.number === 8)).toBe(false);
    expect(open[0]!.number).toBe(229); // newest first
    expect(open.find((p) => p.number === 7)).toMatchObject({ headRepo: 'forker/widgets', labels: ['no_lvm', 'docs'] });
    expect(gh.requests.filter((r) => r.operationId === 'pulls/list')).toHaveLength(2);
  });

  it('reads collaborator permissions by role, and a 404 as none', async () => {
    expect(await client.getCollaboratorPermission(REPO, 'alice')).toBe('admin');
    expect(await client.getCollaboratorPermission(REPO, 'mo')).toBe('maintain');
    expect(await client.getCollaboratorPermission(REPO, 'tri')).toBe('triage');
    expect(await client.getCollaboratorPermission(REPO, 'rita')).toBe('read');
    expect(await client.getCollaboratorPermission(REPO, 'stranger')).toBe('none');
    expect(gh.requests.at(-1)?.status).toBe(404);
  });

  it('checks org membership: 204 yes, 404 no, 302 no', async () => {
    expect(await client.isOrgMember('acme', 'alice')).toBe(true);
    expect(await client.isOrgMember('acme', 'mallory')).toBe(false);
    expect(await client.isOrgMember('secretive', 'alice')).toBe(false);
    expect(gh.requests.map((r) => r.status)).toEqual([204, 404, 302]);
    // The redirect to public_members is not followed.
    expect(gh.requests.some((r) => r.path.includes('public_members'))).toBe(false);
  });

  it('posts a commit status, cutting the description to 140 characters', async () => {
    await client.createStatus(REPO, SHA, { state: 'pending', context: 'gatehouse/lvm', description: 'Build started.', targetUrl: 'https://github.com/acme/ci-logs/tree/ci-logs/lvm/7' });
    await client.createStatus(REPO, SHA, { state: 'failure', context: 'gatehouse/lvm', description: `Build done. ${'x'.repeat(200)}` });
    expect(gh.statuses).toHaveLength(2);
    expect(gh.statuses[0]).toMatchObject({ repo: REPO, sha: SHA, state: 'pending', context: 'gatehouse/lvm', description: 'Build started.', targetUrl: 'https://github.com/acme/ci-logs/tree/ci-logs/lvm/7' });
    expect([...gh.statuses[1]!.description!]).toHaveLength(140);
    expect(gh.statuses[1]!.targetUrl).toBeNull();
  });

  it('reads the head commit message', async () => {
    expect(await client.getHeadCommitMessage(REPO, SHA)).toBe('Add gears\n\n[skip ci]');
  });

  it('resolves a branch, a tag or a sha to its commit, and says so when there is none', async () => {
    expect(await client.getCommitSha(REPO, 'heads/main')).toBe('d'.repeat(40));
    expect(await client.getCommitSha(REPO, 'tags/v1.0')).toBe('e'.repeat(40));
    expect(await client.getCommitSha(REPO, SHA)).toBe(SHA);
    expect(await client.getCommitSha(REPO, 'heads/gone')).toBeUndefined();
    expect(gh.requests.map((r) => [r.operationId, r.status])).toEqual([['repos/get-commit', 200], ['repos/get-commit', 200], ['repos/get-commit', 200], ['repos/get-commit', 404]]);
  });
});

describe('retries', () => {
  it('retries a 500 and then gets the 201', async () => {
    gh.failNext('POST', '/repos/{owner}/{repo}/statuses/{sha}', { status: 500 });
    await client.createStatus(REPO, SHA, { state: 'success', context: 'gatehouse/lvm', description: 'Build done.' });
    expect(gh.requests.map((r) => r.status)).toEqual([500, 201]);
    expect(gh.statuses).toHaveLength(1);
  });

  it('retries a dropped connection', async () => {
    gh.failNext('GET', `/repos/${REPO}/pulls/7`, { disconnect: true });
    expect((await client.getPull(REPO, 7)).number).toBe(7);
    expect(gh.requests.map((r) => r.status)).toEqual([0, 200]);
  });

  it('gives up after the configured retries with a transient error', async () => {
    gh.failNext('POST', '/repos/{owner}/{repo}/statuses/{sha}', { status: 502 }, 10);
    const limited = createGitHubClient({ apiUrl: gh.url, token: TOKEN }, { ...FAST, retries: 2 });
    const error = await limited.createStatus(REPO, SHA, { state: 'success', context: 'c', description: 'd' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GitHubApiError', status: 502, transient: true });
    expect(gh.requests).toHaveLength(3);
  });

  it('waits for the primary rate limit reset, then succeeds', async () => {
    const reset = Math.floor(Date.now() / 1000) + 2;
    gh.failNext('POST', '/repos/{owner}/{repo}/statuses/{sha}', { status: 403, rateLimitReset: reset });
    const waits: string[] = [];
    const watched = createGitHubClient({ apiUrl: gh.url, token: TOKEN }, { ...FAST, waitUnitMs: 10, logger: { debug: () => {}, warn: (m) => waits.push(m) } });
    await watched.createStatus(REPO, SHA, { state: 'success', context: 'gatehouse/lvm', description: 'Build done.' });
    expect(gh.requests.map((r) => r.status)).toEqual([403, 201]);
    expect(waits.join('\n')).toMatch(/primary rate limit .* retrying in [23]s/);
  });

  it('waits for a secondary rate limit (429 with retry-after), then succeeds', async () => {
    gh.failNext('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', { status: 429, retryAfter: 30 });
    expect((await client.getPull(REPO, 7)).number).toBe(7);
    expect(gh.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not wait for a reset far away: the error says when to come back', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    gh.failNext('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', { status: 403, rateLimitReset: reset });
    const error = await client.getPull(REPO, 7).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, transient: true, retryAt: new Date(reset * 1000) });
    expect(gh.requests).toHaveLength(1);
  });

  it('refuses a malformed repository name without a request', async () => {
    await expect(client.getPull('no-slash', 1)).rejects.toMatchObject({ name: 'GitHubApiError', status: 0, transient: false });
    expect(gh.requests).toHaveLength(0);
  });

  it('does not retry a 404 of a missing pull request', async () => {
    await expect(client.getPull(REPO, 404)).rejects.toMatchObject({ status: 404, transient: false });
    expect(gh.requests).toHaveLength(1);
  });
});

describe('write spacing', () => {
  it('posts statuses one at a time, writeIntervalMs apart', async () => {
    const spaced = createGitHubClient({ apiUrl: gh.url, token: TOKEN }, { ...FAST, writeIntervalMs: 150 });
    const start = Date.now();
    await Promise.all(['a', 'b', 'c'].map((context) => spaced.createStatus(REPO, SHA, { state: 'pending', context, description: 'Build queued.' })));
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(gh.statuses.map((s) => s.context).sort()).toEqual(['a', 'b', 'c']);
  });
});
