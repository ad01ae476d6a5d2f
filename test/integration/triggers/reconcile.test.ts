// Reconcile: open pull requests listed through the API (the OpenAPI-validated stand-in); a head that
// no webhook announced is queued, through the same trigger rules as a webhook.
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn, type PullInput } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { TEST_REPO } from '../../support/test-config.js';
import type { ConfigInput } from '../../../shared/config.js';
import { buildsOf, prPayload, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';

const sha = (c: string) => c.repeat(40);
const step = [{ name: 'test', run: 'true' }];
const REASON = 'reconcile: no webhook seen for this head';

describe('reconcile', () => {
  let gh: GitHubStandIn;
  let master: ReportMaster | undefined;
  afterEach(async () => {
    await master?.stop();
    master = undefined;
    await gh.close();
  });

  async function start(pulls: PullInput[], builders: ConfigInput['builders'], github: Partial<ConfigInput['github']> = {}, interval: string | number = 0) {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls } } });
    master = await startReportMaster({
      config: { builders, github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: interval, ...github } },
      github: createTestGitHubClient(gh),
    });
    return master;
  }
  const row = (b: { builder: string; pr: number | null; sha: string | null; state: string; result: string | null; result_reason: string | null; reason: string }) =>
    [b.builder, b.pr, b.sha?.slice(0, 1), b.state, b.result, b.result_reason, b.reason];

  it('queues a PR that had no webhook, leaves a built one alone, and still applies the trigger rules', async () => {
    const pulls: PullInput[] = [
      { number: 1, head: { sha: sha('1') }, base: { ref: 'master' }, authorAssociation: 'OWNER' },
      { number: 2, head: { sha: sha('2') }, base: { ref: 'master' }, authorAssociation: 'OWNER' },
      { number: 3, head: { sha: sha('3') }, base: { ref: 'master' }, draft: true, authorAssociation: 'OWNER' },
      { number: 4, head: { sha: sha('4'), repo: 'stranger/Hello-World' }, base: { ref: 'master' }, author: 'stranger', authorAssociation: 'CONTRIBUTOR' },
      { number: 5, head: { sha: sha('5') }, base: { ref: 'release-1' }, authorAssociation: 'OWNER' },
      { number: 6, head: { sha: sha('6') }, base: { ref: 'master' }, title: '[CI:DOCS] typo', authorAssociation: 'OWNER' },
    ];
    const m = await start(pulls, [{ name: 'unit', triggers: { pullRequest: { branches: ['master'] } }, steps: step }, { name: 'on-label', triggers: { pullRequest: { actions: ['labeled'] }, label: 'run-perf' }, steps: step }]);
    // PR 2's webhook did arrive.
    await m.send('pull_request', prPayload({ number: 2, sha: sha('2') }));
    expect(buildsOf(m)).toHaveLength(1);

    const result = await m.reporting.reconcile();
    expect(result?.queued.sort()).toEqual([1, 3, 4, 6]);
    // Changes of different pull requests are decided concurrently: their builds come in any order.
    expect(buildsOf(m).map(row).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      ['unit', 1, '1', 'queued', null, null, REASON],
      ['unit', 2, '2', 'queued', null, null, 'pull request #2 opened'],
      ['unit', 3, '3', 'finished', 'skipped', 'skipped: draft pull request', 'pull request #3'],
      ['unit', 4, '4', 'queued', null, null, REASON],
      ['unit', 6, '6', 'finished', 'skipped', 'skipped: [CI:DOCS] in the title', 'pull request #6'],
    ]);
    // The fork's build waits for approval, like after a webhook.
    const request = m.db.prepare<[number], { state: string }>('SELECT r.state FROM build_requests r JOIN builds b ON b.request_id = r.id WHERE b.pr = ?').get(4);
    expect(request?.state).toBe('awaiting-approval');
    // Statuses follow for the builds reconcile made.
    await waitUntil(() => gh.statuses.length >= 5, 'statuses');
    expect(gh.statuses.find((s) => s.sha === sha('1'))?.description).toBe('Build queued.');
    expect(gh.statuses.find((s) => s.sha === sha('4'))?.description).toBe('Waiting for /ok-to-test.');

    // A second pass finds nothing more to do.
    expect((await m.reporting.reconcile())?.queued).toEqual([]);
    expect(buildsOf(m)).toHaveLength(5);
  });

  it('a draft made ready for review, whose webhook was lost, is built', async () => {
    const m = await start([{ number: 3, head: { sha: sha('3') }, base: { ref: 'master' }, draft: true, authorAssociation: 'OWNER' }], [{ name: 'unit', steps: step }]);
    await m.reporting.reconcile();
    expect(buildsOf(m).map((b) => b.result)).toEqual(['skipped']);
    gh.state.pull(TEST_REPO, 3).draft = false;
    expect((await m.reporting.reconcile())?.queued).toEqual([3]);
    expect(buildsOf(m).map((b) => [b.state, b.result])).toEqual([['finished', 'skipped'], ['queued', null]]);
  });

  it('a new head pushed while the webhook was lost supersedes the old build', async () => {
    const m = await start([{ number: 1, head: { sha: sha('a') }, base: { ref: 'master' }, authorAssociation: 'OWNER' }], [{ name: 'unit', steps: step }]);
    await m.send('pull_request', prPayload({ number: 1, sha: sha('a') }));
    gh.state.pull(TEST_REPO, 1).head.sha = sha('b');
    await m.reporting.reconcile();
    expect(buildsOf(m).map((b) => [b.sha?.slice(0, 1), b.result, b.result_reason])).toEqual([
      ['a', 'cancelled', 'superseded by bbbbbbb'],
      ['b', null, null],
    ]);
  });

  it('runs at start and then on its interval', async () => {
    const m = await start([{ number: 1, head: { sha: sha('1') }, base: { ref: 'master' }, authorAssociation: 'OWNER' }], [{ name: 'unit', steps: step }], {}, '300ms');
    await waitUntil(() => buildsOf(m).length === 1, 'the build from the pass at start');
    gh.state.addPull(TEST_REPO, { number: 2, head: { sha: sha('2') }, base: { ref: 'master' }, authorAssociation: 'OWNER' });
    await waitUntil(() => buildsOf(m).length === 2, 'the build from a later pass');
    expect(buildsOf(m).map((b) => [b.pr, b.reason])).toEqual([[1, REASON], [2, REASON]]);
    const lists = gh.requests.filter((r) => r.operationId === 'pulls/list');
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });
});
