// The real GitHub client, pointed at a stand-in and made quick for tests: waits GitHub asks for
// last 1 ms per second, writes are not spaced, and retries and rate-limit waits are not logged.
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../master/github/github-client.js';
import type { GitHubStandIn } from './github-api-stand-in.js';

export const TEST_CLIENT_OPTIONS: GitHubClientOptions = { waitUnitMs: 1, writeIntervalMs: 0, logger: { debug: () => {}, warn: () => {} } };

export function createTestGitHubClient(standIn: Pick<GitHubStandIn, 'url'>, token = 'ghp_testToken', options: GitHubClientOptions = {}): GitHubClient {
  return createGitHubClient({ apiUrl: standIn.url, token }, { ...TEST_CLIENT_OPTIONS, ...options });
}
