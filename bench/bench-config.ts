// The config the benchmarks run the master with: the test one, on a temporary data dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BENCH_SECRETS = { GH_WEBHOOK_SECRET: 'bench-webhook-secret', ADMIN_TOKEN: 'bench-admin', WORKER_SECRET: 'bench-worker-secret', GH_TOKEN: 'bench-github-token' };
export const BENCH_REPO = 'Codertocat/Hello-World';

export function benchDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-'));
}

export function benchConfig(dataDir: string, extra: Record<string, unknown> = {}) {
  return {
    http: { port: 0, host: '127.0.0.1', adminToken: { env: 'ADMIN_TOKEN' } },
    dataDir,
    github: { repo: BENCH_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
    workers: [1, 2, 3, 4].map((i) => ({ name: `w${i}`, secret: { env: 'WORKER_SECRET' }, slots: 1 })),
    builders: [{ name: 'bench', executor: 'host', steps: [{ name: 'true', run: 'true' }] }],
    ...extra,
  };
}
