// A master and real worker processes running real builds (host executor).
import { afterEach, describe, expect, it } from 'vitest';
import { startCiCluster, allFinished, type CiCluster } from '../../support/ci-cluster.js';
import { startWorkerProcess } from '../../support/worker-process.js';

describe('builds end to end', () => {
  let ci: CiCluster | undefined;
  afterEach(async () => {
    await ci?.stop();
    ci = undefined;
  });

  it('two workers share a burst of webhooks, and every build succeeds', async () => {
    ci = await startCiCluster({
      workers: [
        { name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 2 },
        { name: 'w2', secret: { env: 'WORKER_SECRET' }, slots: 2 },
      ],
      builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'print', run: 'echo "PR $GATEHOUSE_PR on $GATEHOUSE_BUILDER #$GATEHOUSE_BUILD_NUMBER"; sleep 0.2' }] }],
    });
    await ci.startWorker('w1');
    await ci.startWorker('w2');
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => (ci as CiCluster).openPr(i + 1)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const builds = await ci.waitForBuilds(allFinished(16), 55_000);
    expect(builds.map((b) => b.result)).toEqual(Array(16).fill('success'));
    expect(new Set(builds.map((b) => b.worker))).toEqual(new Set(['w1', 'w2']));
    const b7 = builds.find((b) => b.pr === 7) as { id: number };
    expect(await ci.log(b7.id, '0')).toMatch(/^PR 7 on unit #\d+$/m);
    const workers = await ci.api<{ workers: Array<{ name: string; connected: boolean; slots: number; version: string }> }>('/api/v2/workers');
    expect(workers.workers).toMatchObject([{ name: 'w1', connected: true, slots: 2, version: '0.1.0' }, { name: 'w2', connected: true, slots: 2 }]);
  }, 60_000); // 16 real builds (a git checkout each): ~15 s on a loaded 2-core machine, more when the whole suite runs beside it

  it('a wrong worker secret is refused with 401 and records no worker', async () => {
    ci = await startCiCluster({});
    const w = startWorkerProcess(ci.configFile, 'w1', `ws://127.0.0.1:${ci.port}`, { WORKER_SECRET: 'not-the-secret' });
    ci.workers.push(w);
    await w.waitFor(/refused|401/i);
    const workers = await ci.api<{ workers: Array<{ name: string; connected: boolean; last_seen: number | null }> }>('/api/v2/workers');
    expect(workers.workers).toEqual([expect.objectContaining({ name: 'w1', connected: false, last_seen: null })]);
  });

  it('a step timeout kills the step and fails the build with the reason', async () => {
    ci = await startCiCluster({
      builders: [{ name: 'slow', executor: 'host', steps: [{ name: 'hang', run: 'echo started; sleep 30', timeout: '1s' }, { name: 'after', run: 'echo never' }] }],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const [build] = await ci.waitForBuilds(allFinished(1));
    expect(build).toMatchObject({ result: 'failure' });
    const steps = await ci.api<{ steps: Array<{ name: string; result: string; reason: string | null }> }>(`/api/v2/builds/${build?.id}/steps`);
    expect(steps.steps[0]).toMatchObject({ name: 'hang', result: 'failure', reason: expect.stringContaining('timed out after 1') });
    expect(steps.steps[1]).toMatchObject({ name: 'after', result: 'skipped' });
  });

  it('cancel reaches the running step, and the always-step still runs and learns the result', async () => {
    ci = await startCiCluster({
      builders: [{
        name: 'long', executor: 'host',
        steps: [
          { name: 'work', run: 'echo working; sleep 30' },
          { name: 'post-run', run: 'echo "post-run sees $GATEHOUSE_RESULT"', always: true },
        ],
      }],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    await ci.waitForBuilds((b) => b[0]?.state === 'running');
    for (let i = 0; i < 100 && !(await ci.log(1, '0')).includes('working'); i++) await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`${ci.master.url}/api/v2/builds/1/cancel`, { method: 'POST', headers: { authorization: 'Bearer test-admin-token-5678' } });
    expect(res.status).toBe(202);
    const [build] = await ci.waitForBuilds(allFinished(1), 15_000);
    expect(build?.result).toBe('cancelled');
    expect(await ci.log(1, '1')).toContain('post-run sees cancelled');
  });

  it('masks a secret split across two writes of the step', async () => {
    ci = await startCiCluster(
      { builders: [{ name: 'sec', executor: 'host', env: { TOKEN: { env: 'SPLIT_SECRET' } }, steps: [{ name: 'leak', run: "printf 'key=s3cr'; sleep 0.4; printf 'et-value-42\\n'; echo \"again $TOKEN\"" }] }] },
      { SPLIT_SECRET: 's3cret-value-42' },
    );
    await ci.startWorker('w1');
    await ci.openPr(1);
    await ci.waitForBuilds(allFinished(1));
    const log = await ci.log(1, '0');
    expect(log).toContain('key=***');
    expect(log).toContain('again ***');
    expect(log).not.toContain('s3cret-value-42');
  });
});
