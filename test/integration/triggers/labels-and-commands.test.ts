// no_<builder> labels and skip strings hold for every way a build is asked for: webhooks, /retest,
// and rebuilds through the API; `--force` (admins of the repository only) overrides them. Through
// the real GitHub client against the OpenAPI-validated stand-in, with real webhook payloads.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config.js';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { labeledEvent, pullCommentEvent as comment } from '../../support/pr-events.js';
import { startGitHubStandIn, type GitHubStandIn, type PullInput } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';

const HEAD = 'a'.repeat(40);
const step = [{ name: 'test', run: 'true' }];
type Builds = { builds: Array<{ id: number; builder: string; state: string; result: string | null; result_reason: string | null; reason: string }> };

describe('labels and commands, consistently', () => {
  let gh: GitHubStandIn;
  let master: TestMaster;
  const labelledPr: PullInput = { number: 7, head: { sha: HEAD }, author: 'octocat', authorAssociation: 'OWNER', labels: ['no_unit'], base: { ref: 'master' }, title: 'A change' };
  const docsPr: PullInput = { number: 8, head: { sha: 'b'.repeat(40) }, author: 'octocat', authorAssociation: 'OWNER', base: { ref: 'master' }, title: 'Typo [CI:DOCS]' };

  beforeEach(async () => {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: [labelledPr, docsPr], collaborators: { boss: 'admin', maintainer: 'write' } } } });
  });
  afterEach(async () => {
    await master?.stop();
    await gh.close();
  });

  async function start(builders: ConfigInput['builders']) {
    master = await startTestMaster({ builders, github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0 } }, createTestGitHubClient(gh));
  }
  const builds = async () => (await master.get<Builds>('/api/v2/builds?order=id')).builds;
  const rows = async () => (await builds()).map((b) => [b.builder, b.result, b.result_reason ?? b.reason]);
  const rebuild = (body: Record<string, unknown>) =>
    master.app.inject({ method: 'POST', url: '/api/v2/builders/unit/rebuild', payload: body, headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } });

  it('/retest skips a builder the PR\'s no_<builder> label excludes, and runs the others', async () => {
    await start([{ name: 'unit', steps: step }, { name: 'lint', steps: step }]);
    await master.send('issue_comment', comment(7, '/retest', 'maintainer'));
    expect(await rows()).toEqual([
      ['unit', 'skipped', 'skipped: label no_unit'],
      ['lint', null, '/retest by maintainer'],
    ]);
  });

  it('/retest <builder> --force runs it anyway for an admin of the repository, and not for anyone else', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('issue_comment', comment(7, '/retest unit --force', 'maintainer'));
    expect(await rows()).toEqual([['unit', 'skipped', 'skipped: label no_unit']]);
    await master.send('issue_comment', comment(7, '/retest unit --force', 'boss'));
    expect((await rows()).at(-1)).toEqual(['unit', null, '/retest --force by boss']);
  });

  it('skip strings hold for /retest too', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('issue_comment', comment(8, '/retest', 'maintainer'));
    expect(await rows()).toEqual([['unit', 'skipped', 'skipped: [CI:DOCS] in the title']]);
  });

  it('a rebuild through the API sees the PR\'s current labels; force: true overrides them', async () => {
    await start([{ name: 'unit', steps: step }]);
    await master.send('issue_comment', comment(7, '/retest unit --force', 'boss'));
    const cancelLatest = async () => {
      const id = (await builds()).at(-1)?.id;
      await master.app.inject({ method: 'POST', url: `/api/v2/builds/${id}/cancel`, headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } });
      return id;
    };
    const first = await cancelLatest();
    const refused = await rebuild({ buildId: first });
    expect(refused.statusCode).toBe(202);
    expect(refused.json().builds).toMatchObject([{ result: 'skipped', result_reason: 'skipped: label no_unit' }]);
    // The label goes away: a plain rebuild runs.
    gh.state.pull(TEST_REPO, 7).labels = [];
    expect((await rebuild({ buildId: first })).json().builds).toMatchObject([{ state: 'queued', result: null }]);
    await cancelLatest();
    gh.state.pull(TEST_REPO, 7).labels = ['no_unit'];
    expect((await rebuild({ buildId: first, force: true })).json().builds).toMatchObject([{ state: 'queued', reason: expect.stringMatching(/\(forced\)$/) }]);
  });

  it('adding no_<builder> to a PR with a queued build ends it as skipped, and leaves other builders alone', async () => {
    await start([{ name: 'unit', steps: step }, { name: 'lint', steps: step }]);
    await master.send('issue_comment', comment(7, '/retest --force', 'boss'));
    expect((await builds()).map((b) => [b.builder, b.state])).toEqual([['unit', 'queued'], ['lint', 'queued']]);
    await master.send('pull_request', labeledEvent({ number: labelledPr.number, sha: labelledPr.head.sha }, 'no_unit'));
    expect((await builds()).map((b) => [b.builder, b.state, b.result, b.result_reason])).toEqual([
      ['unit', 'finished', 'skipped', 'skipped: label no_unit added'],
      ['lint', 'queued', null, null],
    ]);
    const { deliveries } = await master.get<{ deliveries: Array<{ event: string; outcome: string; detail: string }> }>('/api/v2/deliveries');
    expect(deliveries.find((d) => d.event === 'pull_request')).toMatchObject({ outcome: 'skipped', detail: 'unit: skipped: label no_unit added' });
  });
});
