// Issue 3: a 200-webhook burst over 4 workers running `true` (builds/s until all finished, and
// webhook→started), and a step printing 50 MB (time, master peak RSS). Real processes throughout.
import { BENCH_SECRETS } from './bench-config.js';
import { signedPullRequest } from './webhook-payload.js';
import { post } from './http-post.js';
import { followEvents, startBenchCi } from './ci-processes.js';
import { mib, ms, percentile, type BenchResult } from './stats.js';

export async function benchDispatch(count = 200): Promise<BenchResult[]> {
  const ci = await startBenchCi(4, [{ name: 'bench', executor: 'host', steps: [{ name: 'true', run: 'true' }] }]);
  try {
    const sentAt = new Map<number, number>();
    const startedAt = new Map<number, number>();
    let finished = 0;
    let allDone: () => void = () => {};
    const done = new Promise<void>((r) => (allDone = r));
    const stop = await followEvents(ci.url, (type, data) => {
      if (type !== 'build') return;
      const b = data.build as { pr: number; state: string; started_at: number | null };
      if (b.state === 'running' && b.started_at) startedAt.set(b.pr, b.started_at);
      if (b.state === 'finished' && ++finished === count) allDone();
    });
    const payloads = Array.from({ length: count }, (_, i) => {
      const n = i + 1;
      const head = ci.headFor(n);
      const p = signedPullRequest(n, BENCH_SECRETS.GH_WEBHOOK_SECRET, head);
      return { n, ...p };
    });
    const t0 = Date.now();
    await Promise.all(payloads.map(async ({ n, body, headers }) => {
      sentAt.set(n, Date.now());
      const status = await post(`${ci.url}/change_hook/github`, body, headers);
      if (status !== 200) throw new Error(`webhook ${n}: HTTP ${status}`);
    }));
    await done;
    const elapsed = (Date.now() - t0) / 1000;
    stop();
    const queued = [...startedAt].map(([n, t]) => t - (sentAt.get(n) as number));
    const rate = Math.round((count / elapsed) * 10) / 10;
    const idle = await idleStartLatency(ci);
    const p50 = percentile(idle, 50);
    return [
      { name: `burst of ${count} webhooks, 4 workers, step \`true\``, value: rate, unit: 'builds/s', target: '≥ 50', ok: rate >= 50 },
      { name: 'burst: webhook→started p50 (queueing included)', value: ms(percentile(queued, 50)), unit: 'ms' },
      { name: 'idle workers: webhook→started p50 (50 webhooks)', value: ms(p50), unit: 'ms', target: '≤ 10', ok: p50 <= 10 },
      { name: 'idle workers: webhook→started p95', value: ms(percentile(idle, 95)), unit: 'ms' },
      ...(await benchBigLog()),
    ];
  } finally {
    await ci.stop();
  }
}

/** One webhook at a time, with every worker free: how soon does the build start? */
async function idleStartLatency(ci: Awaited<ReturnType<typeof startBenchCi>>): Promise<number[]> {
  const samples: number[] = [];
  let waiting: ((started: number | null) => void) | undefined;
  const stop = await followEvents(ci.url, (type, data) => {
    if (type === 'build' && data.build.pr >= 10_000 && data.build.state === 'running') waiting?.(data.build.started_at as number);
    if (type === 'build' && data.build.pr >= 10_000 && data.build.state === 'finished') waiting?.(null);
  });
  for (let n = 10_000; n < 10_050; n++) {
    const { body, headers } = signedPullRequest(n, BENCH_SECRETS.GH_WEBHOOK_SECRET, ci.headFor(n));
    const started = new Promise<number | null>((r) => (waiting = r));
    const t0 = Date.now();
    await post(`${ci.url}/change_hook/github`, body, headers);
    const at = await started;
    if (at !== null) samples.push(at - t0);
    await new Promise<null | number>((r) => (waiting = r)); // finished
  }
  stop();
  return samples;
}

export async function benchBigLog(): Promise<BenchResult[]> {
  const run = "head -c 52428800 /dev/zero | tr '\\0' 'x' | fold -w 99";
  const ci = await startBenchCi(1, [{ name: 'biglog', executor: 'host', steps: [{ name: 'print', run }] }]);
  try {
    let stepStarted = 0;
    let stepFinished = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((r) => (finish = r));
    const stop = await followEvents(ci.url, (type, data) => {
      if (type === 'build' && data.build.state === 'running') stepStarted = Date.now();
      if (type === 'build' && data.build.state === 'finished') {
        stepFinished = Date.now();
        finish();
      }
    });
    const { body, headers } = signedPullRequest(1, BENCH_SECRETS.GH_WEBHOOK_SECRET, ci.headFor(1));
    await post(`${ci.url}/change_hook/github`, body, headers);
    await finished;
    stop();
    const res = await fetch(`${ci.url}/api/v2/builds/1/steps/0/log`, { method: 'HEAD' });
    const stored = Number(res.headers.get('content-length'));
    const seconds = (stepFinished - stepStarted) / 1000;
    const steps = (await (await fetch(`${ci.url}/api/v2/builds/1/steps`)).json()) as { steps: Array<{ duration_ms: number }> };
    const stepSeconds = (steps.steps[0]?.duration_ms ?? NaN) / 1000;
    const peak = mib(ci.masterPeakRss());
    return [
      { name: `step printing 50 MB (stored ${mib(stored)} MiB): step time`, value: Math.round(stepSeconds * 100) / 100, unit: 's', target: '≤ 1', ok: stepSeconds <= 1 },
      { name: '  whole build (checkout, step, log stored)', value: Math.round(seconds * 100) / 100, unit: 's' },
      { name: 'master peak RSS during it', value: peak, unit: 'MiB', target: '≤ 90', ok: peak <= 90 },
    ];
  } finally {
    await ci.stop();
  }
}
