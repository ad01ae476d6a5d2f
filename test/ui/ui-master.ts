// The real master for browser tests: test config with three builders, listening on 127.0.0.1:0
// so Chromium can load the UI and its event stream.
import type { ConfigInput } from '../../shared/config.js';
import type { GitHubLookups } from '../../master/triggers/github-lookups.js';
import { startTestMaster, type TestMaster } from '../support/test-master.js';
import { examplePayload } from '../support/sign-webhook.js';
import { TEST_REPO } from '../support/test-config.js';

export interface UiMaster extends TestMaster {
  url: string;
}

export const UI_BUILDERS: ConfigInput['builders'] = [
  { name: 'unit', executor: 'host', steps: [{ name: 'compile', run: 'make' }, { name: 'test', run: 'make test' }] },
  { name: 'lvm', executor: 'host', labels: ['storage'], steps: [{ name: 'test', run: './test-lvm' }] },
  { name: 'docs', executor: 'host', triggers: { pullRequest: false }, steps: [{ name: 'build', run: 'make docs' }] },
];

/** `github`: the client forced builds resolve refs with (default none). */
export async function startUiMaster(overrides: Partial<ConfigInput> = {}, github?: GitHubLookups): Promise<UiMaster> {
  const master = await startTestMaster({ title: 'Acme storage CI', builders: UI_BUILDERS, ...overrides }, github);
  const url = await master.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...master, url };
}

/** A real pull_request webhook payload for PR `n` at `sha`; `fork` makes it come from an untrusted fork. */
export function prPayload(n: number, sha: string, options: { fork?: boolean; title?: string } = {}) {
  const p = examplePayload('pull_request', 'opened');
  p.number = n;
  p.repository.full_name = TEST_REPO;
  p.pull_request.number = n;
  p.pull_request.head.sha = sha;
  p.pull_request.head.repo.full_name = options.fork ? 'outsider/Hello-World' : TEST_REPO;
  if (options.fork) {
    p.pull_request.user.login = 'outsider';
    p.pull_request.author_association = 'NONE';
  }
  if (options.title) p.pull_request.title = options.title;
  return p;
}
