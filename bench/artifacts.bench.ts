// Large artifacts: a step writing a 1 GiB file, once collected as an artifact and once not. The
// difference in step time is what storing it costs (streamed from the work directory to the
// master's disk over HTTP, sha256 on both ends, fsync); how much the peak RSS of master and worker
// grows while it moves shows that nothing holds the file in memory. Real processes, host executor.
import { BENCH_SECRETS } from './bench-config.js';
import { followEvents, startBenchCi } from './ci-processes.js';
import { post } from './http-post.js';
import { mib, type BenchResult } from './stats.js';
import { signedPullRequest } from './webhook-payload.js';

const BYTES = 1024 * 1024 * 1024;

export async function benchArtifacts(): Promise<BenchResult[]> {
  const make = `head -c ${BYTES} /dev/zero > big.bin`;
  const ci = await startBenchCi(1, [
    { name: 'plain', executor: 'host', steps: [{ name: 'make', run: make }] },
    { name: 'stored', executor: 'host', triggers: { pullRequest: false, after: 'plain' }, steps: [{ name: 'make', run: make, artifacts: 'big.bin' }] },
  ]);
  try {
    let finished = 0;
    let allDone: () => void = () => {};
    const done = new Promise<void>((r) => (allDone = r));
    // Peak RSS once the plain build ended: what the upload adds is measured against it.
    let before = { master: 0, worker: 0 };
    // CPU used by each process from the plain build's end to the stored build's end: the cost of
    // storing the file, steady under other load, where the wall-time throughput is not.
    let cpuBefore = { master: 0, worker: 0 };
    let cpuAfter = { master: 0, worker: 0 };
    const stop = await followEvents(ci.url, (type, data) => {
      if (type !== 'build' || data.build.state !== 'finished') return;
      const cpu = { master: ci.masterCpuSeconds(), worker: ci.workerCpuSeconds(0) };
      if (++finished === 1) {
        before = { master: ci.masterPeakRss(), worker: ci.workerPeakRss(0) };
        cpuBefore = cpu;
      }
      if (finished === 2) {
        cpuAfter = cpu;
        allDone();
      }
    });
    const { body, headers } = signedPullRequest(1, BENCH_SECRETS.GH_WEBHOOK_SECRET, ci.headFor(1));
    await post(`${ci.url}/change_hook/github`, body, headers);
    await done;
    stop();
    const stepMs = async (build: number) => ((await (await fetch(`${ci.url}/api/v2/builds/${build}/steps`)).json()) as { steps: Array<{ duration_ms: number }> }).steps[0]?.duration_ms ?? NaN;
    const storing = ((await stepMs(2)) - (await stepMs(1))) / 1000;
    const rate = Math.round(BYTES / 1024 / 1024 / storing);
    const masterGrowth = mib(ci.masterPeakRss() - before.master);
    const workerGrowth = mib(ci.workerPeakRss(0) - before.worker);
    return [
      { name: '1 GiB artifact: time to store (step with it − without)', value: Math.round(storing * 100) / 100, unit: 's' },
      { name: '  throughput worker → master disk', value: rate, unit: 'MiB/s', target: '≥ 100', ok: rate >= 100 },
      { name: '  master CPU while storing it (user + system)', value: Math.round((cpuAfter.master - cpuBefore.master) * 100) / 100, unit: 's' },
      { name: '  worker CPU while storing it (user + system)', value: Math.round((cpuAfter.worker - cpuBefore.worker) * 100) / 100, unit: 's' },
      { name: `  master peak RSS growth (from ${mib(before.master)} MiB)`, value: masterGrowth, unit: 'MiB', target: '≤ 32', ok: masterGrowth <= 32 },
      { name: `  worker peak RSS growth (from ${mib(before.worker)} MiB)`, value: workerGrowth, unit: 'MiB', target: '≤ 32', ok: workerGrowth <= 32 },
    ];
  } finally {
    await ci.stop();
  }
}
