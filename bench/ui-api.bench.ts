// Issue 7: the web UI stays fast on a busy history. A database with 10,000 builds over eight
// builders (plus some queued and awaiting approval), then the p95 of the requests the builders
// page makes (over HTTP, keep-alive, as the browser does), and of the history and queue pages.
import http from 'node:http';
import { parseConfig } from '../shared/config.js';
import { createMaster } from '../master/create-master.js';
import { BENCH_REPO, BENCH_SECRETS, benchConfig, benchDataDir } from './bench-config.js';
import { seedBuilds } from './seed-builds.js';
import { ms, percentile, type BenchResult } from './stats.js';

const BUILDERS = ['lvm', 'ceph', 'nfs', 'iscsi', 'rbd', 'unit', 'lint', 'docs'];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}

async function timed(url: string, rounds: number): Promise<number[]> {
  for (let i = 0; i < 30; i++) await get(url); // warm up the JIT, the statement cache, the connection
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await get(url);
    times.push(performance.now() - t0);
  }
  return times;
}

export async function benchUiApi(count = 10_000, rounds = 300): Promise<BenchResult[]> {
  const builders = BUILDERS.map((name) => ({ name, executor: 'host', steps: [{ name: 'test', run: 'true' }] }));
  const { config, secrets } = parseConfig(benchConfig(benchDataDir(), { builders }), 'bench', { env: BENCH_SECRETS });
  const master = await createMaster({ config, secrets });
  seedBuilds(master.db, { count, builders: BUILDERS, repo: BENCH_REPO });
  master.db.transaction(() => {
    for (let i = 0; i < 40; i++) {
      master.builds.create({
        changeId: null, builder: BUILDERS[i % BUILDERS.length] as string, reason: `pull request #${2000 + i} opened`, repo: BENCH_REPO,
        pr: 2000 + i, sha: (i + 1).toString(16).padStart(40, 'f'), ref: `refs/pull/${2000 + i}/head`, cloneUrl: null,
        initial: i % 4 === 0 ? { state: 'awaiting-approval' } : { state: 'queued' },
      });
    }
  })();
  const base = await master.app.listen({ port: 0, host: '127.0.0.1' });

  const page = { builders: `${base}/api/v2/ui/builders`, info: `${base}/api/v2/ui/info`, workers: `${base}/api/v2/workers` };
  const summary = await timed(page.builders, rounds);
  const info = await timed(page.info, rounds);
  const all = [...summary, ...info];
  const history = await timed(`${base}/api/v2/builds?builder=lvm&limit=25&offset=0&order=-id`, rounds);
  const filtered = await timed(`${base}/api/v2/builds?builder=lvm&result=failure&limit=25&offset=500&order=-id`, rounds);
  const queue = await timed(`${base}/api/v2/queue?limit=50&offset=0`, rounds);
  await master.close();
  agent.destroy();

  const p95 = (xs: number[]) => ms(percentile(xs, 95));
  return [
    { name: `builders page API p95 (${count.toLocaleString('en')} builds)`, value: p95(all), unit: 'ms', target: '≤ 20', ok: percentile(all, 95) <= 20 },
    { name: '  GET /api/v2/ui/builders p95 (8 builders × 15)', value: p95(summary), unit: 'ms' },
    { name: '  GET /api/v2/ui/info p95', value: p95(info), unit: 'ms' },
    { name: 'history page p95 (builds?builder, limit 25)', value: p95(history), unit: 'ms' },
    { name: 'history page p95 (result filter, offset 500)', value: p95(filtered), unit: 'ms' },
    { name: 'queue page p95 (queue?limit=50)', value: p95(queue), unit: 'ms' },
  ];
}
