// The real master on a temporary data dir, driven through fastify's inject (no sockets).
import type { ConfigInput } from '../../shared/config.js';
import { parseConfig } from '../../shared/config.js';
import { createMaster, type Master } from '../../master/create-master.js';
import type { GitHubLookups } from '../../master/triggers/github-lookups.js';
import { makeTempDir } from './temp-dir.js';
import { TEST_SECRETS, testConfig } from './test-config.js';
import { webhookHeaders } from './sign-webhook.js';

export interface TestMaster extends Master {
  dataDir: string;
  /** POST a signed webhook; resolves after its triggers ran. */
  send(event: string, payload: unknown, options?: { deliveryId?: string }): Promise<{ status: number; body: Record<string, unknown> }>;
  get<T = Record<string, unknown>>(url: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestMaster(overrides: Partial<ConfigInput> = {}, github?: GitHubLookups, dataDir?: string): Promise<TestMaster> {
  const dir = dataDir ? null : makeTempDir();
  const input = { ...testConfig(overrides), dataDir: dataDir ?? (dir as { path: string }).path };
  const { config, secrets } = parseConfig(input, 'test config', { env: TEST_SECRETS });
  const master = await createMaster({ config, secrets, github });
  await master.app.ready();
  return {
    ...master,
    dataDir: config.dataDir,
    async send(event, payload, options = {}) {
      const body = JSON.stringify(payload);
      const res = await master.app.inject({
        method: 'POST', url: '/change_hook/github', payload: body,
        headers: webhookHeaders(event, body, TEST_SECRETS.GH_WEBHOOK_SECRET, { deliveryId: options.deliveryId }),
      });
      await master.processor.kick();
      return { status: res.statusCode, body: res.json() };
    },
    async get(url) {
      const res = await master.app.inject({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async stop() {
      await master.close();
      dir?.remove();
    },
  };
}
