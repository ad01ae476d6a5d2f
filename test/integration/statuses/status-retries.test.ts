// Statuses that GitHub does not take at once: server errors, rate limits, and a master restarted
// with statuses still in its outbox. The newest state of each (sha, context) reaches GitHub exactly
// once and last; older ones go before it or not at all (superseded).
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { TEST_REPO } from '../../support/test-config.js';
import { makeTempDir } from '../../support/temp-dir.js';
import type { GitHubClient } from '../../../master/github/github-client.js';
import type { OutboxRow } from '../../../master/store/status-store.js';
import type { ApiBuildReporting } from '../../../master/api/schemas/index.js';
import { buildsOf, finishBuild, metricValue, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';

const A = 'a'.repeat(40);
const STATUSES = '/repos/{owner}/{repo}/statuses/{sha}';

describe('status retries', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function standIn(): Promise<GitHubStandIn> {
    const gh = await startGitHubStandIn({ repos: { [TEST_REPO]: {} } });
    cleanup.push(() => gh.close());
    return gh;
  }
  async function master(github: GitHubClient, dataDir?: string): Promise<ReportMaster> {
    const m = await startReportMaster({ github, dataDir });
    cleanup.push(() => m.stop());
    return m;
  }
  /** The client, noting when each createStatus call starts. */
  function timed(client: GitHubClient, calls: number[]): GitHubClient {
    return { ...client, createStatus: (...args) => (calls.push(Date.now()), client.createStatus(...args)) };
  }
  const outbox = (m: ReportMaster) => m.db.prepare<[], OutboxRow>('SELECT * FROM status_outbox ORDER BY id').all();
  /** The stand-in records a status before the client has its answer: wait for the outbox to know. */
  const settled = (m: ReportMaster) => waitUntil(() => outbox(m).every((r) => r.state !== 'pending'), 'the outbox to settle');
  const statusPosts = (gh: GitHubStandIn) => gh.requests.filter((r) => r.operationId === 'repos/create-commit-status');

  it('500 then 201: the outbox retries after a backoff and posts once', async () => {
    const gh = await standIn();
    const calls: number[] = [];
    // No retries inside the client: the outbox's own retry is what is tested.
    const m = await master(timed(createTestGitHubClient(gh, undefined, { retries: 0 }), calls));
    gh.failNext('POST', STATUSES, { status: 500 });
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    await waitUntil(() => gh.statuses.length === 1, 'the status');
    expect(statusPosts(gh).map((r) => r.status)).toEqual([500, 201]);
    expect(gh.statuses.map((s) => s.description)).toEqual(['Build queued.']);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(50 * 0.75 - 1); // FAST_REPORTING: 50 ms base
    await settled(m);
    expect(outbox(m)).toMatchObject([{ state: 'sent', attempts: 2, transition: 'queued@0' }]);
    expect(await metricValue(m, 'gatehouse_status_post_failures_total')).toBe(1);
    expect(await metricValue(m, 'gatehouse_status_backlog')).toBe(0);
  });

  it('500 then 201 with the client\'s own retries: still one status', async () => {
    const gh = await standIn();
    const m = await master(createTestGitHubClient(gh));
    gh.failNext('POST', STATUSES, { status: 500 });
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    await waitUntil(() => gh.statuses.length === 1, 'the status');
    expect(statusPosts(gh).map((r) => r.status)).toEqual([500, 201]);
    await settled(m);
    expect(outbox(m)).toMatchObject([{ state: 'sent', attempts: 1 }]);
  });

  it('403 rate-limited: nothing is posted before the reset GitHub gave, then the newest state of each line, newest build first', async () => {
    const gh = await standIn();
    const calls: number[] = [];
    const m = await master(timed(createTestGitHubClient(gh, undefined, { retries: 0, rateLimitRetries: 0 }), calls));
    const reset = Math.floor(Date.now() / 1000) + 2;
    gh.failNext('POST', STATUSES, { status: 403, rateLimitReset: reset });
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    await m.send('pull_request', prPayload({ number: 2, sha: 'b'.repeat(40) }));
    const [first] = buildsOf(m);
    startBuild(m, first!.id);
    finishBuild(m, first!.id, 'success');
    await waitUntil(() => gh.statuses.length === 2, '2 statuses', 15_000);
    expect(calls[0]! < reset * 1000).toBe(true);
    // Every later call, for any commit, waited for the reset: the limit is the token's, not the commit's.
    for (const at of calls.slice(1)) expect(at).toBeGreaterThanOrEqual(reset * 1000);
    expect(statusPosts(gh).map((r) => r.status)).toEqual([403, 201, 201]);
    // During the pause A's build went on: its queued and started states were overtaken and are not sent.
    expect(gh.statuses.map((s) => [s.sha, s.description])).toEqual([['b'.repeat(40), 'Build queued.'], [A, 'Build done.']]);
    await settled(m);
    expect(outbox(m).filter((r) => r.sha === A).map((r) => [r.transition, r.state])).toEqual([['queued@0', 'superseded'], ['started@1', 'superseded'], ['finished', 'sent']]);
    expect(outbox(m).find((r) => r.transition === 'queued@0' && r.sha === A)).toMatchObject({ attempts: 1, last_error: expect.stringContaining('403') });
  });

  it('a connection dropped without an answer is retried like a server error', async () => {
    const gh = await standIn();
    const m = await master(createTestGitHubClient(gh, undefined, { retries: 0 }));
    gh.failNext('POST', STATUSES, { disconnect: true }, 2);
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    finishBuild(m, build!.id, 'failure');
    await waitUntil(() => gh.statuses.at(-1)?.description === 'Build done.', 'the final status');
    await settled(m);
    // Two posts dropped, then the newest state goes; nothing follows it, nothing is posted twice.
    expect(statusPosts(gh).filter((r) => r.status === 0)).toHaveLength(2);
    expect(statusPosts(gh).at(-1)?.status).toBe(201);
    const got = gh.statuses.map((s) => s.description);
    expect(got).toEqual(['Build queued.', 'Build started.', 'Build done.'].filter((d) => got.includes(d)));
  });

  it('a master restarted with statuses still in the outbox sends the newest, once', async () => {
    const dir = makeTempDir('gatehouse-restart-');
    cleanup.push(() => dir.remove());
    const down = await standIn();
    const first = await master(createTestGitHubClient(down, undefined, { retries: 0 }), dir.path);
    await first.send('pull_request', prPayload({ number: 1, sha: A }));
    await waitUntil(() => down.statuses.length === 1, 'the queued status');
    // GitHub goes down; the build runs and ends meanwhile.
    down.failNext('POST', STATUSES, { status: 503 }, 1000);
    const [build] = buildsOf(first);
    startBuild(first, build!.id);
    finishBuild(first, build!.id, 'success');
    await waitUntil(() => statusPosts(down).filter((r) => r.status === 503).length >= 3, 'a few failed attempts');
    await first.stop();
    expect(down.statuses.map((s) => s.description)).toEqual(['Build queued.']);

    const up = await standIn();
    const second = await master(createTestGitHubClient(up), dir.path);
    await waitUntil(() => up.statuses.length === 1, 'the status left in the outbox');
    await settled(second);
    await new Promise((r) => setTimeout(r, 300));
    expect(up.statuses.map((s) => [s.sha, s.context, s.state, s.description])).toEqual([[A, 'gatehouse/unit', 'success', 'Build done.']]);
    // "Build started." was overtaken by "Build done." before GitHub took it: kept, marked, not sent.
    expect(outbox(second).map((r) => r.state)).toEqual(['sent', 'superseded', 'sent']);
    // The API shows the same: which went out, which were not sent because a newer one went instead.
    const reporting = (await second.app.inject({ method: 'GET', url: `/api/v2/builds/${build!.id}/reporting` })).json<ApiBuildReporting>();
    expect(reporting.statuses.map((s) => [s.description, s.state])).toEqual([['Build queued.', 'sent'], ['Build started.', 'superseded'], ['Build done.', 'sent']]);
    expect(reporting.logs).toBeNull(); // no logs branch configured
  });

  it('a build transition the bus never carried is found by the sweep at start', async () => {
    const dir = makeTempDir('gatehouse-sweep-');
    cleanup.push(() => dir.remove());
    const gh = await standIn();
    const first = await master(createTestGitHubClient(gh), dir.path);
    await first.send('pull_request', prPayload({ number: 1, sha: A }));
    await waitUntil(() => gh.statuses.length === 1, 'the queued status');
    // A crash between the build's commit and its event: the row changes, no event is emitted.
    const [build] = buildsOf(first);
    first.builds.finish(build!.id, 'error', 'master crashed');
    await first.stop();
    const second = await master(createTestGitHubClient(gh), dir.path);
    await waitUntil(() => gh.statuses.length === 2, 'the final status');
    expect(gh.statuses[1]).toMatchObject({ state: 'error', description: 'Build done. Error: master crashed.' });
    expect(second).toBeDefined();
  });
});
