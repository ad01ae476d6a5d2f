// Fault suite: the logs repository refuses pushes (a pre-receive hook, as branch protection would)
// while builds run on a real master process and worker, then starts accepting them. Meanwhile the
// refusal is in the master's log and the builds' reporting data with the remote's own words, and
// is never taken for a moved branch; afterwards every build is on the branch, each commit once.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createBareRepo, type BareRepo } from '../support/bare-git-repo.js';
import { HOOK_SAYS, refuseUntil } from '../support/refusing-hook.js';
import { waitUntil } from '../support/report-test-master.js';
import { startReportFaultCluster, type ReportFaultCluster } from '../support/report-fault-cluster.js';

const BRANCH = 'ci-logs';

describe('fault suite: logs push refused, then accepted', () => {
  let cluster: ReportFaultCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
  });

  it('the refusal is reported with the remote\'s message; the builds land once accepted, each commit once', async () => {
    let bare: BareRepo | undefined;
    cluster = await startReportFaultCluster({
      builders: [{ name: 'b', executor: 'host', steps: [{ name: 'work', run: 'echo working' }] }],
      logs: (dir) => {
        bare = createBareRepo(dir);
        refuseUntil(bare.dir, path.join(dir, 'accept'));
        return { remote: bare.dir, branch: BRANCH };
      },
    });
    const c = cluster;
    await c.push(1);
    await c.push(2);
    await waitUntil(async () => {
      const b = await c.builds();
      return b.length === 2 && b.every((x) => x.state === 'finished');
    }, 'both builds to finish', 60_000);
    const ids = (await c.builds()).map((b) => b.id);

    // Refused, retried (production backoff: 2 s, then about 4 s), with the remote's words kept.
    await waitUntil(async () => ((await c.reporting(ids[1]!)).logs?.attempts ?? 0) >= 2, 'two refused attempts', 30_000);
    for (const id of ids) {
      const { logs } = await c.reporting(id);
      expect(logs?.published ?? null).not.toBe('finished');
      expect(logs?.last_error).toContain(HOOK_SAYS);
      expect(logs?.last_error).toContain('[remote rejected] (pre-receive hook declined)');
    }
    expect(bare!.tip(BRANCH)).toBeNull();
    const refusals = c.master.output().split('\n').filter((l) => l.includes('the logs remote refused the push'));
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals[0]).toContain(HOOK_SAYS);
    expect(c.master.output()).not.toContain('moved under us');

    writeFileSync(path.join(c.dir, 'accept'), '');
    await waitUntil(async () => (await Promise.all(ids.map((id) => c.reporting(id)))).every((r) => r.logs?.published === 'finished'), 'both builds published', 60_000);
    for (const id of ids) expect((await c.reporting(id)).logs).toMatchObject({ published: 'finished', last_error: null });
    expect(bare!.folders(BRANCH)).toHaveLength(2);
    // Each build's commit once: after a refusal the clone starts again from the remote's tip.
    const subjects = bare!.log(BRANCH).map((x) => x.subject);
    expect(subjects).toHaveLength(2);
    expect(new Set(subjects).size).toBe(2);
  }, 180_000);
});
