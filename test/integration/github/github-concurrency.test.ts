// How many requests the master's GitHub client has in flight at once, against the stand-in
// answering each after 150 ms: plugin-throttling alone allows 10, which at GitHub's latency held a
// burst of pull requests back (bench: "the same with 100 ms per GitHub call"); the client allows
// MAX_CONCURRENT_REQUESTS, and no more.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONCURRENT_REQUESTS } from '../../../master/github/create-octokit.js';
import { createGitHubClient } from '../../../master/github/github-client.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';

const REPO = 'acme/widgets';
const TOKEN = 'ghp_standInToken0123456789abcdefghijklmn';

let gh: GitHubStandIn | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

describe('GitHub client concurrency', () => {
  it(`has up to ${MAX_CONCURRENT_REQUESTS} requests in flight at once, and holds the rest back`, async () => {
    gh = await startGitHubStandIn({ tokens: [TOKEN], latencyMs: 150, repos: { [REPO]: { pulls: [{ number: 7, head: { sha: 'a'.repeat(40) }, title: 'Add gears' }] } } });
    const client = createGitHubClient({ apiUrl: gh.url, token: TOKEN }, { waitUnitMs: 1, writeIntervalMs: 0, logger: { debug: () => {}, warn: () => {} } });
    const count = MAX_CONCURRENT_REQUESTS * 2 + 5;
    const pulls = await Promise.all(Array.from({ length: count }, () => client.getPull(REPO, 7)));
    expect(pulls.every((p) => p.number === 7)).toBe(true);
    expect(gh.requests).toHaveLength(count);
    expect(gh.maxInFlight).toBe(MAX_CONCURRENT_REQUESTS);
  });
});
