// Credentials: a GitHub App trades a signed JWT for an installation token and then uses it; and no
// error the client throws (or Octokit builds underneath) carries the token or the private key.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../../master/github/create-octokit.js';
import { createGitHubClient, GitHubApiError, type GitHubClientOptions } from '../../../master/github/github-client.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';

const REPO = 'acme/widgets';
const SHA = 'f'.repeat(40);
const TOKEN = 'ghp_SECRETsecretSECRETsecret0123456789';
const FAST: GitHubClientOptions = { waitUnitMs: 1, writeIntervalMs: 0, logger: { debug: () => {}, warn: () => {} } };

function keyPair() {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/** Everything an error shows when logged, inspected or serialized. */
function everything(error: unknown): string {
  return [String(error), (error as Error).stack, inspect(error, { depth: null, showHidden: true }), JSON.stringify(error)].join('\n');
}

let gh: GitHubStandIn | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

describe('GitHub App auth', () => {
  it('gets an installation token with a signed JWT, then calls with that token', async () => {
    const { publicKey, privateKey } = keyPair();
    gh = await startGitHubStandIn({
      tokens: [], // only installation tokens minted by the stand-in are accepted
      app: { appId: 4242, publicKey, installationId: 77 },
      repos: { [REPO]: { pulls: [{ number: 1, head: { sha: SHA } }] } },
    });
    const client = createGitHubClient({ apiUrl: gh.url, app: { appId: 4242, privateKey, installationId: 77 } }, FAST);
    expect((await client.getPull(REPO, 1)).headSha).toBe(SHA);
    await client.createStatus(REPO, SHA, { state: 'pending', context: 'gatehouse/lvm', description: 'Build started.' });
    expect(gh.requests.map((r) => [r.operationId, r.tokenKind, r.status])).toEqual([
      ['apps/create-installation-access-token', 'jwt', 201],
      ['pulls/get', 'installation', 200],
      ['repos/create-commit-status', 'installation', 201], // the token is cached, not fetched again
    ]);
  });

  it('fails with a 401 when the app key is not the one GitHub knows, without showing the key', async () => {
    const { publicKey } = keyPair();
    const { privateKey: otherKey } = keyPair();
    gh = await startGitHubStandIn({ tokens: [], app: { appId: 4242, publicKey, installationId: 77 }, repos: { [REPO]: {} } });
    const client = createGitHubClient({ apiUrl: gh.url, app: { appId: 4242, privateKey: otherKey, installationId: 77 } }, FAST);
    const error = await client.getPull(REPO, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ status: 401, transient: false });
    expect(everything(error)).toMatch(/signature/);
    const keyBody = otherKey.split('\n')[1]!;
    expect(everything(error)).not.toContain(keyBody);
  });
});

describe('the token never shows in errors', () => {
  it('is not in a GitHubApiError from a 404, a 500 after retries, or a refused write', async () => {
    gh = await startGitHubStandIn({ tokens: [TOKEN], repos: { [REPO]: {} } });
    const client = createGitHubClient({ apiUrl: gh.url, token: TOKEN }, { ...FAST, retries: 1 });
    gh.failNext('POST', '/repos/{owner}/{repo}/statuses/{sha}', { status: 500 }, 2);
    const errors = await Promise.all([
      client.getPull(REPO, 999).catch((e: unknown) => e),
      client.createStatus(REPO, SHA, { state: 'success', context: 'c', description: 'd' }).catch((e: unknown) => e),
      client.listOpenPulls('nobody/here').catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(GitHubApiError);
      expect(everything(error)).not.toContain(TOKEN);
    }
    expect(errors.map((e) => (e as GitHubApiError).status)).toEqual([404, 500, 404]);
  });

  it('is not in the error when no server answers', async () => {
    const closed = await startGitHubStandIn({});
    await closed.close(); // its port is now free: nothing listens there
    const client = createGitHubClient({ apiUrl: closed.url, token: TOKEN }, { ...FAST, retries: 1 });
    const error = await client.getPull(REPO, 1).catch((e: unknown) => e);
    // Octokit reports a refused connection as a 500, so it is retried and called transient.
    expect(error).toMatchObject({ name: 'GitHubApiError', status: 500, transient: true });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(everything(error)).not.toContain(TOKEN);
  });

  it('is not with a wrong token either (401)', async () => {
    gh = await startGitHubStandIn({ tokens: ['ghp_theRightOne'], repos: { [REPO]: {} } });
    const error = await createGitHubClient({ apiUrl: gh.url, token: TOKEN }, FAST).getPull(REPO, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    expect(everything(error)).not.toContain(TOKEN);
    expect(gh.requests[0]).toMatchObject({ tokenPresented: true, tokenKind: 'unknown' });
    expect(JSON.stringify(gh.requests)).not.toContain(TOKEN);
  });

  it("is redacted by @octokit/request-error underneath (the client's own error keeps nothing of it anyway)", async () => {
    gh = await startGitHubStandIn({ tokens: [TOKEN], repos: { [REPO]: {} } });
    const octokit = createOctokit({ apiUrl: gh.url, token: TOKEN }, FAST);
    const error = await octokit.rest.pulls.get({ owner: 'acme', repo: 'widgets', pull_number: 5 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpError', status: 404 });
    expect((error as { request: { headers: Record<string, string> } }).request.headers.authorization).toBe('token [REDACTED]');
    expect(everything(error)).not.toContain(TOKEN);
  });
});
