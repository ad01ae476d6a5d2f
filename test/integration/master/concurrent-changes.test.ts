// Changes are decided several at a time: a slow GitHub answer for one pull request does not hold
// another's, pushes to one pull request still apply in arrival order, and the lookups a burst
// repeats are asked once. The real master and client against the OpenAPI-validated stand-in.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { webhookHeaders } from '../../support/sign-webhook.js';
import { pullRequestEvent } from '../../support/pr-events.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { waitUntil } from '../../support/report-test-master.js';

const sha = (c: string) => c.repeat(40);
const COMMIT = '/repos/{owner}/{repo}/commits/{ref}';
type Build = { pr: number; sha: string; state: string; result: string | null; result_reason: string | null };

describe('changes decided concurrently', () => {
  let gh: GitHubStandIn;
  let master: TestMaster;
  const gates: Array<() => void> = [];
  afterEach(async () => {
    // A test that failed while holding an answer lets it go, so the master can stop.
    for (const release of gates.splice(0)) release();
    await master?.stop();
    await gh?.close();
  });

  async function start(commits: Record<string, string>) {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { commits } } });
    // The builder's skip strings make every change ask GitHub for its head commit's message.
    master = await startTestMaster({ builders: [{ name: 'unit', steps: [{ name: 'test', run: 'true' }] }], github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0 } }, createTestGitHubClient(gh));
  }
  /** Stores the webhook's change and returns, without waiting for its triggers. */
  async function deliver(action: string, pr: number, head: string): Promise<void> {
    const body = JSON.stringify(pullRequestEvent(action, { number: pr, sha: head }));
    const res = await master.app.inject({ method: 'POST', url: '/change_hook/github', payload: body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) });
    expect(res.statusCode).toBe(200);
  }
  const builds = async () => (await master.get<{ builds: Build[] }>('/api/v2/builds?order=id')).builds;
  const commitRequests = (head: string) => gh.requests.filter((r) => r.path === `/repos/${TEST_REPO}/commits/${head}`);
  function gate() {
    let release: () => void = () => {};
    const released = new Promise<void>((r) => (release = r));
    gates.push(release);
    return { released, release };
  }

  it('a slow lookup for one pull request does not hold another', async () => {
    await start({ [sha('1')]: 'one', [sha('2')]: 'two' });
    const slow = gate();
    gh.failNext('GET', `/repos/${TEST_REPO}/commits/${sha('1')}`, { waitFor: slow.released });
    await deliver('opened', 1, sha('1'));
    await deliver('opened', 2, sha('2'));
    await waitUntil(async () => (await builds()).some((b) => b.pr === 2), 'PR 2 queued');
    // PR 1's answer is still held: its change is not decided yet.
    expect(commitRequests(sha('1'))).toHaveLength(1);
    expect((await builds()).map((b) => b.pr)).toEqual([2]);
    slow.release();
    await master.processor.kick();
    expect((await builds()).map((b) => [b.pr, b.state])).toEqual([[2, 'queued'], [1, 'queued']]);
  });

  it('two pushes to one pull request still end with the newer one winning', async () => {
    await start({ [sha('a')]: 'first', [sha('b')]: 'second', [sha('c')]: 'other' });
    const slow = gate();
    gh.failNext('GET', COMMIT, { waitFor: slow.released });
    await deliver('opened', 1, sha('a'));
    await deliver('synchronize', 1, sha('b'));
    await deliver('opened', 3, sha('c'));
    // PR 3's change came after the newer push and is done: the newer push waits for the older one.
    await waitUntil(async () => (await builds()).some((b) => b.pr === 3), 'PR 3 queued');
    expect(commitRequests(sha('b'))).toHaveLength(0);
    slow.release();
    await master.processor.kick();
    const pr1 = (await builds()).filter((b) => b.pr === 1).map((b) => [b.sha[0], b.state, b.result, b.result_reason]);
    expect(pr1).toEqual([
      ['a', 'finished', 'cancelled', `superseded by ${sha('b').slice(0, 7)}`],
      ['b', 'queued', null, null],
    ]);
  });

  it('asks GitHub once for a head commit several changes share', async () => {
    await start({ [sha('d')]: 'shared head' });
    await deliver('opened', 4, sha('d'));
    await deliver('opened', 5, sha('d'));
    await deliver('reopened', 6, sha('d'));
    await master.processor.kick();
    expect((await builds()).map((b) => b.pr).sort()).toEqual([4, 5, 6]);
    expect(commitRequests(sha('d'))).toHaveLength(1);
  });
});
