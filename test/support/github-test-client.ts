// The real GitHub client, pointed at a stand-in and made quick for tests: waits GitHub asks for
// last 1 ms per second, writes are not spaced, and retries and rate-limit waits are not logged.
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../master/github/github-client.js';
import { generateKeyPairSync } from 'node:crypto';
import type { GitHubStandIn } from './github-api-stand-in.js';
import type { AppInput } from './github-stand-in-auth.js';

export const TEST_CLIENT_OPTIONS: GitHubClientOptions = { waitUnitMs: 1, writeIntervalMs: 0, logger: { debug: () => {}, warn: () => {} } };

export function createTestGitHubClient(standIn: Pick<GitHubStandIn, 'url'>, token = 'ghp_testToken', options: GitHubClientOptions = {}): GitHubClient {
  return createGitHubClient({ apiUrl: standIn.url, token }, { ...TEST_CLIENT_OPTIONS, ...options });
}

let appKeys: { publicKey: string; privateKey: string } | undefined;
/** One RSA key pair per test process (generating one takes a while). */
function testAppKeys() {
  appKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return appKeys;
}

/** The GitHub App the stand-in accepts (pass as its `app` option) and the master's config for it. */
export function testApp(): { standIn: AppInput; config: { appId: number; privateKey: string; installationId: number } } {
  const { publicKey, privateKey } = testAppKeys();
  return { standIn: { appId: 4242, publicKey, installationId: 77 }, config: { appId: 4242, privateKey, installationId: 77 } };
}

/** The real client authenticated as the test App (installation tokens, as check runs need). */
export function createTestAppClient(standIn: Pick<GitHubStandIn, 'url'>, options: GitHubClientOptions = {}): GitHubClient {
  return createGitHubClient({ apiUrl: standIn.url, app: testApp().config }, { ...TEST_CLIENT_OPTIONS, ...options });
}
