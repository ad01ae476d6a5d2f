// The trigger rules that ask GitHub (changed files, comment commands, org membership, the head
// commit message), through the real client against the OpenAPI-validated stand-in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config.js';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO } from '../../support/test-config.js';
import { examplePayload } from '../../support/sign-webhook.js';
import { pullCommentEvent as comment } from '../../support/pr-events.js';
import { startGitHubStandIn, type GitHubStandIn, type PullInput } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';

const HEAD = 'a'.repeat(40);
const step = [{ name: 'test', run: 'true' }];
type Builds = { builds: Array<{ builder: string; state: string; result: string | null; result_reason: string | null; sha: string; reason: string }> };
type Requests = { buildrequests: Array<{ builder: string; state: string; sha: string }> };

function prEvent(action: string, pull: PullInput) {
  const p = examplePayload('pull_request', action === 'synchronize' ? 'synchronize' : 'opened');
  p.action = action;
  p.number = pull.number;
  p.repository.full_name = TEST_REPO;
  p.pull_request.number = pull.number;
  p.pull_request.head.sha = pull.head.sha;
  p.pull_request.head.repo.full_name = pull.head.repo ?? TEST_REPO;
  p.pull_request.user.login = pull.author ?? 'octocat';
  p.pull_request.author_association = pull.authorAssociation ?? 'OWNER';
  p.pull_request.title = pull.title ?? 'A change';
  p.pull_request.base.ref = 'master';
  p.pull_request.draft = false;
  p.pull_request.labels = [];
  return p;
}

describe('triggers that ask GitHub', () => {
  let gh: GitHubStandIn;
  let master: TestMaster;
  const fork: PullInput = { number: 5, head: { sha: HEAD, repo: 'stranger/Hello-World' }, author: 'stranger', authorAssociation: 'CONTRIBUTOR', files: ['src/a.py'], base: { ref: 'master' } };
  const own: PullInput = { number: 6, head: { sha: 'b'.repeat(40) }, author: 'octocat', authorAssociation: 'OWNER', files: ['docs/index.md', 'README.md'], base: { ref: 'master' } };

  beforeEach(async () => {
    gh = await startGitHubStandIn({
      repos: { [TEST_REPO]: { pulls: [fork, own], commits: { [HEAD]: 'Add a feature', ['b'.repeat(40)]: 'Docs only [skip ci]' } } },
      orgs: { embercsi: ['ally'] },
    });
  });
  afterEach(async () => {
    await master?.stop();
    await gh.close();
  });

  async function start(builders: ConfigInput['builders'], github: Partial<ConfigInput['github']> = {}) {
    // Reconcile off: these tests count the builds their webhooks make, and the stand-in has open PRs.
    master = await startTestMaster({ builders, github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0, ...github } }, createTestGitHubClient(gh));
  }
  const builds = async () => (await master.get<Builds>('/api/v2/builds?order=id')).builds;
  const requests = async () => (await master.get<Requests>('/api/v2/buildrequests?order=id')).buildrequests;

  it('filters on changed paths from the PR files API', async () => {
    await start([
      { name: 'python', triggers: { paths: ['**/*.py'] }, steps: step },
      { name: 'docs', triggers: { paths: ['docs/**'] }, steps: step },
    ], { trustGate: false });
    await master.send('pull_request', prEvent('opened', fork));
    expect((await builds()).map((b) => [b.builder, b.result, b.result_reason])).toEqual([
      ['python', null, null],
      ['docs', 'skipped', 'skipped: no changed file matches docs/**'],
    ]);
  });

  it('skips on a skip string in the head commit message', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('pull_request', prEvent('opened', own));
    expect(await builds()).toMatchObject([{ result: 'skipped', result_reason: 'skipped: [skip ci] in the head commit message' }]);
  });

  it('holds an untrusted fork PR until a trusted user comments /ok-to-test', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('pull_request', prEvent('opened', fork));
    expect((await requests()).map((r) => r.state)).toEqual(['awaiting-approval']);
    // The author cannot approve their own PR, nor can another outsider.
    await master.send('issue_comment', comment(5, '/ok-to-test', 'stranger', 'CONTRIBUTOR'));
    await master.send('issue_comment', comment(5, '/retest', 'stranger', 'CONTRIBUTOR'));
    expect((await requests()).map((r) => r.state)).toEqual(['awaiting-approval']);
    await master.send('issue_comment', comment(5, 'Looks safe.\n/ok-to-test', 'maintainer', 'MEMBER'));
    expect((await requests()).map((r) => [r.state, r.sha])).toEqual([['queued', HEAD]]);
  });

  it('trusts members of a listed org, asking GitHub', async () => {
    await start([{ name: 'unit', steps: step }], { trusted: { orgs: ['embercsi'] } });
    await master.send('pull_request', prEvent('opened', { ...fork, author: 'ally', authorAssociation: 'NONE' }));
    expect((await requests()).map((r) => r.state)).toEqual(['queued']);
  });

  it('a new head on a PR awaiting approval replaces the old request', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('pull_request', prEvent('opened', fork));
    gh.state.pull(TEST_REPO, 5).head.sha = 'c'.repeat(40);
    await master.send('pull_request', prEvent('synchronize', { ...fork, head: { ...fork.head, sha: 'c'.repeat(40) } }));
    const all = await builds();
    expect(all.map((b) => [b.sha.slice(0, 1), b.result])).toEqual([['a', 'cancelled'], ['c', null]]);
  });

  it('/retest re-runs every builder; "/retest <builder>" only that one; recheck too', async () => {
    await start([{ name: 'lvm', steps: step }, { name: 'ceph', steps: step }], { trustGate: false });
    await master.send('issue_comment', comment(5, '/retest ceph', 'maintainer', 'MEMBER'));
    expect((await builds()).map((b) => [b.builder, b.reason])).toEqual([['ceph', '/retest by maintainer']]);
    await master.app.inject({ method: 'POST', url: '/api/v2/builds/1/cancel', headers: { authorization: 'Bearer test-admin-token-5678' } });
    await master.send('issue_comment', comment(5, 'recheck', 'maintainer', 'MEMBER'));
    expect((await builds()).map((b) => [b.builder, b.state])).toEqual([['ceph', 'finished'], ['lvm', 'queued'], ['ceph', 'queued']]);
  });

  it('ignores a comment without a command, and says so', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('issue_comment', comment(5, 'please /retest this', 'maintainer', 'MEMBER'));
    expect(await builds()).toEqual([]);
    const { deliveries } = await master.get<{ deliveries: Array<{ outcome: string; detail: string }> }>('/api/v2/deliveries');
    expect(deliveries[0]).toMatchObject({ outcome: 'ignored', detail: 'no command in the comment' });
  });

  it('a comment builder command is ignored from an outsider on a fork PR', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('issue_comment', comment(5, '/retest', 'random', 'NONE'));
    expect(await builds()).toEqual([]);
    const { deliveries } = await master.get<{ deliveries: Array<{ detail: string }> }>('/api/v2/deliveries');
    expect(deliveries[0]?.detail).toBe('random is not allowed to trigger builds');
  });
});
