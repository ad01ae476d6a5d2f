// Issue 3: a 200-webhook burst over 4 workers running `true` (builds/s until all finished, and
// webhook→queued and →started), a burst with a head commit per PR without and with a GitHub
// answering each call in 100 ms (issue 15), and a step printing 50 MB (time, CPU, the
// master's RSS growth and peak). Real processes throughout.
import { execFileSync } from 'node:child_process';
import { BENCH_SECRETS } from './bench-config.js';
import { signedPullRequest } from './webhook-payload.js';
import { post } from './http-post.js';
import { followEvents, startBenchCi, type BenchCi } from './ci-processes.js';
import { startBenchGitHub } from './github-stand-in.js';
import { mib, ms, percentile, type BenchResult } from './stats.js';

export async function benchDispatch(count = 200): Promise<BenchResult[]> {
  const ci = await startBenchCi(4, BUILDERS);
  try {
    const plain = await burst(ci, count);
    const idle = await idleLatency(ci);
    const p50 = percentile(idle.started, 50);
    const finishedP50 = percentile(idle.finished, 50);
    return [
      { name: `burst of ${count} webhooks, 4 workers, step \`true\``, value: plain.rate, unit: 'builds/s', target: '≥ 75', ok: plain.rate >= 75 },
      { name: 'burst: webhook→queued p50', value: ms(plain.queuedP50), unit: 'ms' },
      { name: 'burst: webhook→started p50 (queueing included)', value: ms(plain.startedP50), unit: 'ms' },
      { name: 'burst: CPU per build, master', value: ms(plain.cpuPerBuild.master * 1000), unit: 'ms' },
      { name: 'burst: CPU per build, workers (git, steps included)', value: ms(plain.cpuPerBuild.workers * 1000), unit: 'ms' },
      { name: 'idle workers: webhook→started p50 (50 webhooks)', value: ms(p50), unit: 'ms', target: '≤ 10', ok: p50 <= 10 },
      { name: 'idle workers: webhook→started p95', value: ms(percentile(idle.started, 95)), unit: 'ms' },
      { name: 'idle workers: webhook→finished p50', value: ms(finishedP50), unit: 'ms', target: '≤ 18', ok: finishedP50 <= 18 },
      ...(await benchBurstWithGitHub(count, GITHUB_LATENCY_MS)),
      ...(await benchBigLog()),
    ];
  } finally {
    await ci.stop();
  }
}

const BUILDERS = [{ name: 'bench', executor: 'host', steps: [{ name: 'true', run: 'true' }] }];
/** Real GitHub answers in 100–300 ms. */
const GITHUB_LATENCY_MS = 100;

/**
 * The same burst, each pull request on its own head (so each build fetches its commit: a git fetch
 * costs more CPU here than the rest of a `true` build): without a GitHub token, then with one and a
 * GitHub answering at once, then answering each call in `latencyMs`. With a token the builder's
 * skip strings make every change ask GitHub for its head commit's message, and every build's
 * statuses are recorded and coalesced: the master's CPU per build (shown) is what the token costs.
 * What GitHub's latency costs is the difference between the last two, and it must not hold the
 * queue (within 10% of the rate at 0 ms).
 */
export async function benchBurstWithGitHub(count: number, latencyMs: number): Promise<BenchResult[]> {
  const baseline = await distinctHeadsBurst(count);
  const cpu = (r: BurstResult) => ({ name: '  CPU per build, master', value: ms(r.cpuPerBuild.master * 1000), unit: 'ms' });
  const at = async (latency: number) => {
    const github = await startBenchGitHub(latency);
    try {
      return { ...(await distinctHeadsBurst(count, github.url)), lookups: github.calls.get('GET commits') ?? 0 };
    } finally {
      await github.close();
    }
  };
  const instant = await at(0);
  const slow = await at(latencyMs);
  const floor = Math.round(instant.rate * 0.9 * 10) / 10;
  return [
    { name: `burst, a head per PR (a git fetch per build), no GitHub`, value: baseline.rate, unit: 'builds/s' },
    { name: '  webhook→queued p50', value: ms(baseline.queuedP50), unit: 'ms' },
    cpu(baseline),
    { name: `the same with a GitHub answering at once (${instant.lookups} commit lookups)`, value: instant.rate, unit: 'builds/s' },
    { name: '  webhook→queued p50', value: ms(instant.queuedP50), unit: 'ms' },
    cpu(instant),
    { name: `the same with ${latencyMs} ms per GitHub call (${slow.lookups} commit lookups)`, value: slow.rate, unit: 'builds/s', target: `≥ ${floor} (90% of 0 ms)`, ok: slow.rate >= floor },
    { name: '  webhook→queued p50', value: ms(slow.queuedP50), unit: 'ms' },
    { name: '  webhook→started p50 (queueing included)', value: ms(slow.startedP50), unit: 'ms' },
    cpu(slow),
  ];
}

async function distinctHeadsBurst(count: number, githubApiUrl?: string): Promise<BurstResult> {
  const ci = await startBenchCi(4, BUILDERS, { distinctHeads: true, ...(githubApiUrl ? { githubApiUrl } : {}) });
  try {
    return await burst(ci, count);
  } finally {
    await ci.stop();
  }
}

interface BurstResult {
  rate: number;
  queuedP50: number;
  startedP50: number;
  /** CPU seconds per build of the master and of all workers, each with the processes it started. */
  cpuPerBuild: { master: number; workers: number };
}

/** `count` webhooks at once, one pull request each: builds/s until all finished, how soon each was queued and started, and the CPU it took. */
async function burst(ci: BenchCi, count: number): Promise<BurstResult> {
  const sentAt = new Map<number, number>();
  const queuedAt = new Map<number, number>();
  const startedAt = new Map<number, number>();
  let finished = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((r) => (allDone = r));
  const stop = await followEvents(ci.url, (type, data) => {
    if (type !== 'build') return;
    const b = data.build as { pr: number; state: string; started_at: number | null };
    if (b.state === 'queued' && !queuedAt.has(b.pr)) queuedAt.set(b.pr, Date.now());
    if (b.state === 'running' && b.started_at) startedAt.set(b.pr, b.started_at);
    if (b.state === 'finished' && ++finished === count) allDone();
  });
  const payloads = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return { n, ...signedPullRequest(n, BENCH_SECRETS.GH_WEBHOOK_SECRET, ci.headFor(n)) };
  });
  const cpuBefore = ci.cpuWithChildren();
  const t0 = Date.now();
  await Promise.all(payloads.map(async ({ n, body, headers }) => {
    sentAt.set(n, Date.now());
    const status = await post(`${ci.url}/change_hook/github`, body, headers);
    if (status !== 200) throw new Error(`webhook ${n}: HTTP ${status}`);
  }));
  await done;
  const elapsed = (Date.now() - t0) / 1000;
  const cpuAfter = ci.cpuWithChildren();
  stop();
  const since = (at: Map<number, number>) => [...at].map(([n, t]) => t - (sentAt.get(n) as number));
  return {
    rate: Math.round((count / elapsed) * 10) / 10,
    queuedP50: percentile(since(queuedAt), 50),
    startedP50: percentile(since(startedAt), 50),
    cpuPerBuild: { master: (cpuAfter.master - cpuBefore.master) / count, workers: (cpuAfter.workers - cpuBefore.workers) / count },
  };
}

/** One webhook at a time, with every worker free: how soon does the build start, and finish? */
async function idleLatency(ci: BenchCi): Promise<{ started: number[]; finished: number[] }> {
  const started: number[] = [];
  const finished: number[] = [];
  let startedAt: number | undefined;
  let onFinished: (at: number) => void = () => {};
  // Both moments are taken in the handler: a build this quick may send both states in one chunk.
  const stop = await followEvents(ci.url, (type, data) => {
    if (type !== 'build' || data.build.pr < 10_000) return;
    if (data.build.state === 'running') startedAt = data.build.started_at as number;
    if (data.build.state === 'finished') onFinished(Date.now());
  });
  for (let n = 10_000; n < 10_050; n++) {
    const { body, headers } = signedPullRequest(n, BENCH_SECRETS.GH_WEBHOOK_SECRET, ci.headFor(n));
    startedAt = undefined;
    const done = new Promise<number>((r) => (onFinished = r));
    const t0 = Date.now();
    await post(`${ci.url}/change_hook/github`, body, headers);
    const finishedAt = await done;
    if (startedAt !== undefined) started.push(startedAt - t0);
    finished.push(finishedAt - t0);
  }
  stop();
  return { started, finished };
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
    // The master's RSS just before the build, and its peak from here on: the growth is what the log costs.
    const rssBefore = ci.masterRss();
    ci.resetMasterPeakRss();
    const cpuBefore = { master: ci.masterCpuSeconds(), worker: ci.workerCpuSeconds(0) };
    await post(`${ci.url}/change_hook/github`, body, headers);
    await finished;
    const cpu = { master: ci.masterCpuSeconds() - cpuBefore.master, worker: ci.workerCpuSeconds(0) - cpuBefore.worker };
    stop();
    const res = await fetch(`${ci.url}/api/v2/builds/1/steps/0/log`, { method: 'HEAD' });
    const stored = Number(res.headers.get('content-length'));
    const seconds = (stepFinished - stepStarted) / 1000;
    const steps = (await (await fetch(`${ci.url}/api/v2/builds/1/steps`)).json()) as { steps: Array<{ duration_ms: number }> };
    const stepSeconds = (steps.steps[0]?.duration_ms ?? NaN) / 1000;
    const peak = ci.masterPeakRss();
    const growth = mib(peak - rssBefore);
    const round = (n: number) => Math.round(n * 100) / 100;
    return [
      { name: `step printing 50 MB (stored ${mib(stored)} MiB): step time`, value: round(stepSeconds), unit: 's', target: '≤ 0.4', ok: stepSeconds <= 0.4 },
      { name: '  the same command read by `cat`, no CI (p50 of 3)', value: round(pipeFloorSeconds(run)), unit: 's' },
      { name: '  whole build (checkout, step, log stored)', value: round(seconds), unit: 's' },
      { name: '  master CPU during the build', value: round(cpu.master), unit: 's' },
      { name: '  worker CPU during the build', value: round(cpu.worker), unit: 's' },
      { name: 'master RSS growth during it', value: growth, unit: 'MiB', target: '≤ 20', ok: growth <= 20 },
      { name: '  master peak RSS during it', value: mib(peak), unit: 'MiB' },
    ];
  } finally {
    await ci.stop();
  }
}

/** What the command takes with its output read as fast as a pipe allows: the floor under the step time. */
function pipeFloorSeconds(command: string): number {
  const times = [1, 2, 3].map(() => {
    const started = process.hrtime.bigint();
    execFileSync('bash', ['-c', `${command} | cat > /dev/null`]);
    return Number(process.hrtime.bigint() - started) / 1e9;
  });
  return percentile(times, 50);
}
