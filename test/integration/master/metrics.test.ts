// GET /metrics on a real master with a real worker process: a webhook and a build move the
// counters, read back over HTTP in Prometheus' text format. Needs `npm run build` (the worker runs dist/).
import { afterEach, describe, expect, it } from 'vitest';
import { allFinished, startCiCluster, type CiCluster } from '../../support/ci-cluster.js';

/** Samples of a scrape by `name{label="value",...}` (labels as prom-client orders them). */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    samples.set(m[1] as string, Number(m[2]));
  }
  return samples;
}

let cluster: CiCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function scrape(c: CiCluster): Promise<Map<string, number>> {
  const res = await fetch(`${c.master.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

describe('/metrics', () => {
  it('counts webhooks, the queue, builds and workers, beside the process metrics', async () => {
    cluster = await startCiCluster({});
    const before = await scrape(cluster);
    expect(before.get('gatehouse_workers_connected')).toBe(0);
    expect(before.get('gatehouse_queue_depth{builder="unit"}')).toBe(0);
    expect(before.get('gatehouse_queue_wait_seconds_count{builder="unit"}')).toBe(0);
    expect(before.has('gatehouse_builds_total{builder="unit",result="success"}')).toBe(false);
    expect(before.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    const disk = before.get('gatehouse_data_disk_used_ratio') as number;
    expect(disk).toBeGreaterThan(0);
    expect(disk).toBeLessThanOrEqual(1);

    expect(await cluster.openPr(1)).toBe(200);
    const unsigned = await fetch(`${cluster.master.url}/change_hook/github`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'made-up-event' }, body: '{}',
    });
    expect(unsigned.status).toBe(401);
    await cluster.waitForBuilds((b) => b.length === 1);
    const queued = await scrape(cluster);
    expect(queued.get('gatehouse_webhooks_total{event="pull_request",outcome="accepted"}')).toBe(1);
    expect(queued.get('gatehouse_webhooks_total{event="unverified",outcome="bad-signature"}')).toBe(1);
    expect(queued.get('gatehouse_queue_depth{builder="unit"}')).toBe(1);

    await cluster.startWorker('w1');
    await cluster.waitForBuilds(allFinished(1));
    const after = await scrape(cluster);
    expect(after.get('gatehouse_workers_connected')).toBe(1);
    expect(after.get('gatehouse_queue_depth{builder="unit"}')).toBe(0);
    expect(after.get('gatehouse_queue_wait_seconds_count{builder="unit"}')).toBe(1);
    expect(after.get('gatehouse_builds_total{builder="unit",result="success"}')).toBe(1);
    expect(after.get('gatehouse_build_duration_seconds_count{builder="unit",result="success"}')).toBe(1);
    expect(after.get('gatehouse_build_duration_seconds_bucket{le="+Inf",builder="unit",result="success"}')).toBe(1);
    expect(after.get('gatehouse_status_backlog')).toBe(0);
  });

  it('keeps each master\'s counts apart in one process', async () => {
    cluster = await startCiCluster({});
    const other = await startCiCluster({});
    try {
      expect(await other.openPr(1)).toBe(200);
      expect((await scrape(other)).get('gatehouse_webhooks_total{event="pull_request",outcome="accepted"}')).toBe(1);
      expect((await scrape(cluster)).has('gatehouse_webhooks_total{event="pull_request",outcome="accepted"}')).toBe(false);
    } finally {
      await other.stop();
    }
  });
}, 60_000);
