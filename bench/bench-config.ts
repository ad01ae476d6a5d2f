// The config the benchmarks run the master with: the test one, on a temporary data dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BENCH_SECRETS = { GH_WEBHOOK_SECRET: 'bench-webhook-secret', ADMIN_TOKEN: 'bench-admin', WORKER_SECRET: 'bench-worker-secret', GH_TOKEN: 'bench-github-token' };
export const BENCH_REPO = 'Codertocat/Hello-World';

/** GATEHOUSE_BENCH_DOMAIN_TYPE=kvm runs the VM benchmarks' guests under KVM (x86_64 only, on an x86_64 host that has it) instead of TCG. */
export const BENCH_VM_DOMAIN_TYPE: 'kvm' | 'qemu' = process.env.GATEHOUSE_BENCH_DOMAIN_TYPE === 'kvm' ? 'kvm' : 'qemu';
/** How the VM benchmarks' guests run, as their rows name it. */
export const BENCH_VM_ENGINE = BENCH_VM_DOMAIN_TYPE === 'kvm' ? 'KVM' : 'TCG';

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
