// A valid config for tests, built through the real schema; pieces are overridden per test.
import type { ConfigInput } from '../../shared/config.js';

export const TEST_SECRETS = {
  GH_WEBHOOK_SECRET: 'test-webhook-secret-1234',
  GH_TOKEN: 'ghp_testtoken000000000000000000000000',
  ADMIN_TOKEN: 'test-admin-token-5678',
  WORKER_SECRET: 'test-worker-secret-90ab',
};

export const TEST_REPO = 'Codertocat/Hello-World';

export function testConfig(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    http: { port: 0, host: '127.0.0.1', adminToken: { env: 'ADMIN_TOKEN' } },
    github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
    workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 2 }],
    builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] }],
    ...overrides,
  };
}

