// A logs remote that refuses pushes for a reason of its own (here a pre-receive hook, standing in
// for branch protection): the refusal is reported with the remote's own words (master log, the
// build's reporting data in the API), retried with backoff, and the builds land once it accepts,
// each commit once. A branch that moved is told apart from it (see logs-branch.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { createBareRepo } from '../../support/bare-git-repo.js';
import { HOOK_SAYS, refuseUntil } from '../../support/refusing-hook.js';
import { addStep, buildsOf, finishBuild, metricValue, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';
import type { ApiBuildReporting } from '../../../master/api/schemas/index.js';

const BRANCH = 'ci-logs';
const sha = (n: number) => n.toString(16).padStart(40, 'd');

describe('logs branch: a push the remote refuses', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('is reported with the remote\'s message, retried with backoff, and published once accepted, each commit once', async () => {
    const dir = makeTempDir('gatehouse-logs-refused-');
    cleanup.push(() => dir.remove());
    const bare = createBareRepo(dir.path);
    const flag = path.join(dir.path, 'accept');
    refuseUntil(bare.dir, flag);
    const m: ReportMaster = await startReportMaster({
      config: { logs: { remote: bare.dir, branch: BRANCH }, builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] }] },
    });
    cleanup.push(() => m.stop());

    for (const n of [1, 2]) await m.send('pull_request', prPayload({ number: n, sha: sha(n) }));
    const ids = buildsOf(m).map((b) => b.id);
    for (const id of ids) {
      startBuild(m, id);
      addStep(m, id, { id: '0', name: 'test', result: 'success', log: `testing ${id}\n` });
      finishBuild(m, id, 'success');
    }

    const reporting = async (id: number) => (await m.app.inject({ method: 'GET', url: `/api/v2/builds/${id}/reporting` })).json<ApiBuildReporting>();
    await waitUntil(async () => ((await reporting(ids[0]!)).logs?.attempts ?? 0) >= 3, 'a few refused attempts');
    for (const id of ids) {
      const { logs } = await reporting(id);
      expect(logs).toMatchObject({ wanted: 'finished', published: null });
      expect(logs?.last_error).toContain(HOOK_SAYS);
      expect(logs?.last_error).toContain('[remote rejected] (pre-receive hook declined)');
    }
    expect(bare.tip(BRANCH)).toBeNull();
    const refusals = m.logLines.filter((l) => l.includes('the logs remote refused the push'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(await metricValue(m, 'gatehouse_logs_push_failures_total')).toBeGreaterThanOrEqual(refusals.length);
    expect(await metricValue(m, 'gatehouse_logs_backlog')).toBe(2);
    expect(refusals[0]).toContain(HOOK_SAYS);
    expect(m.logLines.some((l) => l.includes('moved under us'))).toBe(false);
    // Backoff: the waits grow (FAST_REPORTING: 50 ms doubling to 400 ms, drawn in 75–100 %).
    const waits = refusals.map((l) => (JSON.parse(l) as { retryInMs: number }).retryInMs);
    expect(waits[2]!).toBeGreaterThan(waits[0]!);

    writeFileSync(flag, '');
    await waitUntil(async () => (await Promise.all(ids.map(reporting))).every((r) => r.logs?.published === 'finished'), 'both builds published', 15_000);
    expect(await metricValue(m, 'gatehouse_logs_backlog')).toBe(0);
    for (const id of ids) expect((await reporting(id)).logs).toMatchObject({ published: 'finished', last_error: null });
    expect(bare.folders(BRANCH)).toEqual([`unit/1-${sha(1).slice(0, 7)}-1`, `unit/2-${sha(2).slice(0, 7)}-2`]);
    // Each build's commit once: the clone was reset to the remote before writing again.
    const subjects = bare.log(BRANCH).map((c) => c.subject);
    expect(subjects).toHaveLength(2);
    expect(new Set(subjects).size).toBe(2);
    expect(m.logLines.some((l) => l.includes('logs branch updated'))).toBe(true);
  });
});
