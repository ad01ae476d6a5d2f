// Fault suite: GitHub answers commit statuses with server errors, then a primary rate limit
// (403, x-ratelimit-remaining 0 and a reset time), then normally, while two pull requests build on
// a real master process and worker. Afterwards: every build final and its final status posted;
// for each (sha, context) each state at most once, in the build's order, the final one last;
// nothing accepted between the rate limit and its reset; the outbox holds nothing pending.
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/report-test-master.js';
import { startReportFaultCluster, statusRank, type ReportFaultCluster } from '../support/report-fault-cluster.js';

const STATUSES = '/repos/{owner}/{repo}/statuses/{sha}';
const CONTEXT = 'gatehouse/b';

describe('fault suite: GitHub 500s, then a 403 rate limit, then OK', () => {
  let cluster: ReportFaultCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
  });

  it('every status final and posted once per (sha, context), in order, none lost, the pause honoured', async () => {
    cluster = await startReportFaultCluster({ builders: [{ name: 'b', executor: 'host', steps: [{ name: 'work', run: 'sleep 1' }] }] });
    const { gh } = cluster;

    const reset = Math.floor(Date.now() / 1000) + 6;
    gh.failNext('POST', STATUSES, { status: 500 }, 3);
    gh.failNext('POST', STATUSES, { status: 403, rateLimitReset: reset }, 1);
    const shas = [await cluster.push(1), await cluster.push(2)];

    await waitUntil(async () => {
      const b = await cluster!.builds();
      return b.length === 2 && b.every((x) => x.state === 'finished');
    }, 'both builds to finish', 60_000);
    expect((await cluster.builds()).map((b) => b.result), cluster.master.output()).toEqual(['success', 'success']);
    const finalOf = (sha: string) => gh.statuses.find((s) => s.sha === sha && s.context === CONTEXT && s.state !== 'pending');
    await waitUntil(() => shas.every((sha) => finalOf(sha)), 'both final statuses', 60_000);

    // The faults were met in the order injected, and after the rate limit nothing was accepted before its reset.
    const posts = gh.requests.map((r) => ({ r, at: r.receivedAt })).filter(({ r }) => r.operationId === 'repos/create-commit-status');
    const codes = posts.map(({ r }) => r.status);
    expect(codes.slice(0, 4)).toEqual([500, 500, 500, 403]);
    expect(codes.slice(4).every((c) => c === 201)).toBe(true);
    for (const { at } of posts.slice(4)) expect(at).toBeGreaterThanOrEqual(reset * 1000);

    for (const sha of shas) {
      const line = gh.statuses.filter((s) => s.sha === sha && s.context === CONTEXT);
      const ranks = line.map(statusRank);
      expect([...ranks].sort(), line.map((s) => s.description).join(' | ')).toEqual(ranks);
      expect(new Set(ranks).size).toBe(ranks.length);
      expect(line.at(-1)).toMatchObject({ state: 'success', description: 'Build done.' });
    }
    // The outbox agrees: nothing pending, each build's final state sent, the rest sent or superseded.
    // (GitHub's stand-in has the last status before the master has recorded GitHub's answer to it.)
    await waitUntil(async () => {
      for (const b of await cluster!.builds()) if ((await cluster!.reporting(b.id)).statuses.some((s) => s.state === 'pending')) return false;
      return true;
    }, 'the master to record the last answers', 30_000);
    for (const b of await cluster.builds()) {
      const { statuses } = await cluster.reporting(b.id);
      expect(statuses.at(-1)).toMatchObject({ transition: 'finished', state: 'sent' });
      expect(statuses.every((s) => s.state === 'sent' || s.state === 'superseded')).toBe(true);
    }
    expect(cluster.master.output()).toMatch(/rate limit/);
    gh.assertNoValidationErrors();
  }, 180_000);
});
