// Issue 2: accept latency and webhook→queued latency for 1,000 signed pull_request webhooks, and
// the master's idle RSS (a real `gatehouse master` process, read from /proc).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { post } from './http-post.js';
import { parseConfig } from '../shared/config.js';
import { createMaster } from '../master/create-master.js';
import { BENCH_SECRETS, benchConfig, benchDataDir } from './bench-config.js';
import { signedPullRequest } from './webhook-payload.js';
import { mib, ms, percentile, type BenchResult } from './stats.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/gatehouse.js');

export async function benchIntake(count = 1000): Promise<BenchResult[]> {
  const { config, secrets } = parseConfig(benchConfig(benchDataDir()), 'bench', { env: BENCH_SECRETS });
  const master = await createMaster({ config, secrets });
  const url = await master.app.listen({ port: 0, host: '127.0.0.1' });
  const queuedAt = new Map<number, number>();
  master.bus.on((e) => {
    if (e.type === 'build' && e.build.state === 'queued' && e.build.pr !== null) queuedAt.set(e.build.pr, performance.now());
  });
  const accept: number[] = [];
  const toQueued: number[] = [];
  for (let i = 1; i <= count + 50; i++) {
    const { body, headers } = signedPullRequest(i, BENCH_SECRETS.GH_WEBHOOK_SECRET);
    const t0 = performance.now();
    const status = await post(`${url}/change_hook/github`, body, headers);
    const t1 = performance.now();
    if (status !== 200) throw new Error(`webhook ${i}: HTTP ${status}`);
    while (!queuedAt.has(i)) await new Promise((r) => setImmediate(r));
    if (i > 50) {
      // the first 50 warm up the JIT and the connection
      accept.push(t1 - t0);
      toQueued.push((queuedAt.get(i) as number) - t0);
    }
  }
  await master.close();
  return [
    { name: `accept latency p50 (${count} webhooks)`, value: ms(percentile(accept, 50)), unit: 'ms', target: '≤ 5', ok: percentile(accept, 50) <= 5 },
    { name: 'accept latency p95', value: ms(percentile(accept, 95)), unit: 'ms' },
    { name: 'webhook→queued p50', value: ms(percentile(toQueued, 50)), unit: 'ms' },
    { name: 'webhook→queued p95', value: ms(percentile(toQueued, 95)), unit: 'ms' },
    ...(await idleRss()),
  ];
}

async function idleRss(): Promise<BenchResult[]> {
  const dir = benchDataDir();
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(benchConfig(dir)));
  const child = spawn(CLI, ['master', '--config', file, '--port', '0'], { env: { ...process.env, ...BENCH_SECRETS }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    // Logs are on stderr; both pipes are read so neither fills up and stalls the master.
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('gatehouse master listening')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`master exited ${code}: ${out}`)));
  });
  // Idle means settled: V8's memory reducer runs some seconds after the last activity.
  await new Promise((r) => setTimeout(r, 15_000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  child.kill('SIGTERM');
  const rss = mib(rssKb * 1024);
  return [{ name: 'master idle RSS', value: rss, unit: 'MiB', target: '≤ 60', ok: rss <= 60 }];
}
