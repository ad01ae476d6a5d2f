// The whole chain without a public IP: GitHub → (smee relay stand-in) → the master's own forwarder
// (real smee-client) → POST /change_hook/github → a queued build.
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../../shared/config.js';
import { startMaster, type RunningMaster } from '../../../master/main.js';
import { startSmeeRelay, type SmeeRelay } from '../../support/smee-relay.js';
import { postBytes, waitFor } from '../../support/smee-target.js';
import { examplePayload, webhookHeaders } from '../../support/sign-webhook.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';

function pr(n: number) {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO;
  p.number = n;
  p.pull_request.head.sha = String(n).repeat(40).slice(0, 40);
  return JSON.stringify(p);
}

describe('master behind a smee channel', () => {
  let relay: SmeeRelay;
  let master: RunningMaster;
  const dir = makeTempDir();
  afterEach(async () => {
    await master?.close();
    await relay?.close();
    dir.remove();
  });

  async function start() {
    relay = await startSmeeRelay({ pingIntervalMs: 1000 });
    const channel = relay.newChannel();
    const loaded = parseConfig({ ...testConfig(), dataDir: dir.path, smee: { url: channel } }, 'test', { env: TEST_SECRETS });
    master = await startMaster(loaded);
    await waitFor(() => relay.subscriberCount() === 1, 5000, 'the forwarder to subscribe');
    return channel;
  }
  const builds = async () => ((await (await fetch(`${master.url}/api/v2/builds?order=id`)).json()) as { builds: Array<{ pr: number }> }).builds;
  const forwarder = async () => (await (await fetch(`${master.url}/api/v2/forwarder`)).json()) as { enabled: boolean; connected: boolean; events: number; reconnects: number };

  it('builds a signed delivery posted to the channel, once even when replayed', async () => {
    const channel = await start();
    const body = pr(1);
    const headers = webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET, { deliveryId: randomUUID() });
    expect((await postBytes(channel, body, headers)).status).toBe(200);
    for (let i = 0; i < 100 && (await builds()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await builds()).map((b) => b.pr)).toEqual([1]);
    // The same delivery again (a replay from the smee page): 200, and no second build.
    await postBytes(channel, body, headers);
    for (let i = 0; i < 100 && (await forwarder()).events < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await forwarder()).events).toBe(2);
    expect((await builds()).map((b) => b.pr)).toEqual([1]);
    expect(await forwarder()).toMatchObject({ enabled: true, connected: true });
  });

  it('still receives after the relay drops and comes back mid-stream', async () => {
    const channel = await start();
    await relay.restart(300);
    await waitFor(() => relay.subscriberCount() === 1, 10_000, 'the forwarder to come back');
    const body = pr(2);
    await postBytes(channel, body, webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET));
    for (let i = 0; i < 100 && (await builds()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await builds()).map((b) => b.pr)).toEqual([2]);
    expect((await forwarder()).reconnects).toBeGreaterThanOrEqual(1);
  });

  it('refuses a delivery signed with another secret, like any forgery', async () => {
    const channel = await start();
    const body = pr(3);
    await postBytes(channel, body, webhookHeaders('pull_request', body, 'not-our-secret'));
    for (let i = 0; i < 100 && (await forwarder()).events < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    expect(await builds()).toEqual([]);
    const deliveries = (await (await fetch(`${master.url}/api/v2/deliveries`)).json()) as { meta: { total: number } };
    expect(deliveries.meta.total).toBe(0);
  });
});
