// Notifications through the real master: builds finish on the bus, the outbox (real SQLite) fills,
// and a webhook channel posts to a recording HTTP server on 127.0.0.1.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMaster, type Master } from '../../../master/create-master.js';
import { parseConfig, type ConfigInput } from '../../../shared/config.js';
import type { BuildResult } from '../../../shared/protocol.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { newBuild } from '../../support/store-db.js';
import { startRecordingTarget, type RecordingTarget } from '../../support/smee-target.js';

describe('notifications from a master', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setUp(notifications: ConfigInput['notifications'], dataDir?: string, over: Partial<ConfigInput> = {}) {
    const dir = dataDir ?? makeTempDir('gatehouse-notify-').path;
    if (!dataDir) cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const input = { ...testConfig({ notifications, http: { port: 0, host: '127.0.0.1', publicUrl: 'https://ci.example.org' }, ...over }), dataDir: dir };
    const { config, secrets } = parseConfig(input, 'test config', { env: { ...TEST_SECRETS, HOOK_URL: hookUrl } });
    const master = await createMaster({ config, secrets, notifications: { retry: { baseMs: 50, maxMs: 200 }, checkIntervalMs: 50 } });
    await master.app.ready();
    let closed = false;
    const close = async () => {
      if (!closed) await master.app.close();
      closed = true;
    };
    cleanup.push(close);
    return { master, dir, close };
  }

  let hookUrl = '';
  async function receiver(): Promise<RecordingTarget> {
    const target = await startRecordingTarget('/hooks/T0KEN');
    hookUrl = target.url;
    cleanup.push(() => target.close());
    return target;
  }

  function finish(master: Master, result: BuildResult, over: Parameters<typeof newBuild>[1] = { pr: 7 }): number {
    const build = master.stores.builds.create(newBuild('unit', over));
    master.stores.builds.finish(build.id, result, result === 'failure' ? 'step "test" failed' : null);
    master.bus.emit({ type: 'build', build: master.stores.builds.get(build.id)! });
    return build.id;
  }
  const texts = (target: RecordingTarget) => target.requests.map((r) => (JSON.parse(r.body.toString()) as { text: string }).text);

  it('posts a failing builder, says nothing while it keeps failing, and posts when it passes again, with a link to the build', async () => {
    const target = await receiver();
    const { master } = await setUp({ minInterval: '0s', webhooks: [{ url: { env: 'HOOK_URL' }, format: 'slack' }] });
    finish(master, 'success');
    const failed = finish(master, 'failure');
    await target.waitForRequests(1);
    finish(master, 'failure');
    finish(master, 'cancelled');
    const fixed = finish(master, 'success');
    await target.waitForRequests(2);
    await expect.poll(() => master.stores.notifications.pendingCount()).toBe(0);
    expect(texts(target)).toEqual([
      `❌ <https://ci.example.org/#/builds/${failed}|unit is failing (build #2, pull request #7)>\no/r at aaaaaaaaaaaa\nstep "test" failed`,
      `✅ <https://ci.example.org/#/builds/${fixed}|unit passes again (build #5, pull request #7)>\no/r at aaaaaaaaaaaa`,
    ]);
    expect(master.stores.notifications.all().map((r) => r.dedupe_key)).toEqual([`build:${failed}`, `build:${fixed}`]);
  });

  it('coalesces a flapping builder: one message at once, then one for everything within the rate limit', async () => {
    const target = await receiver();
    const { master } = await setUp({ minInterval: '1s', webhooks: [{ url: hookUrl, format: 'json' }] });
    finish(master, 'success');
    finish(master, 'failure');
    await target.waitForRequests(1);
    await expect.poll(() => master.stores.notifications.pendingCount()).toBe(0); // marked sent
    for (let i = 0; i < 5; i++) {
      finish(master, 'success');
      finish(master, 'failure');
    }
    // Held back by the rate limit, then sent together.
    expect(master.stores.notifications.pendingCount()).toBe(10);
    await expect.poll(() => master.stores.notifications.pendingCount(), { timeout: 5_000 }).toBe(0);
    expect(target.requests).toHaveLength(2);
    const [first, second] = target.requests.map((r) => JSON.parse(r.body.toString()) as { kind: string; title: string; detail: string });
    expect(first).toMatchObject({ kind: 'failing', title: 'unit is failing (build #2, pull request #7)' });
    expect(second).toMatchObject({ kind: 'failing', title: 'unit is failing (build #12, pull request #7) (10 changes)' });
    expect(second!.detail).toContain('9 earlier changes since the last message:');
  });

  it('a restart neither loses a notification its channel did not take nor sends one twice', async () => {
    const target = await receiver();
    target.respondWith(503, 'down');
    const first = await setUp({ minInterval: '0s', webhooks: [{ url: hookUrl, format: 'mattermost' }] });
    finish(first.master, 'error', { pr: null, ref: 'refs/heads/main' });
    await target.waitForRequests(2); // the first try and a retry, both refused
    const metrics = await first.master.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^gatehouse_notification_backlog 1$/m);
    await first.close();
    const refused = target.requests.length;

    target.respondWith(200);
    const second = await setUp({ minInterval: '0s', webhooks: [{ url: hookUrl, format: 'mattermost' }] }, first.dir);
    await expect.poll(() => second.master.stores.notifications.pendingCount()).toBe(0);
    expect(target.requests).toHaveLength(refused + 1);
    expect(texts(target).at(-1)).toMatch(/^❌ <https:\/\/ci\.example\.org\/#\/builds\/1\|unit ended in error \(build #1, branch main\)>/);
    await second.close();

    // A third start sweeps the same recent build again: the outbox already has it.
    const third = await setUp({ minInterval: '0s', webhooks: [{ url: hookUrl, format: 'mattermost' }] }, first.dir);
    expect(third.master.stores.notifications.all().map((r) => [r.dedupe_key, r.state])).toEqual([['build:1', 'sent']]);
    await third.close();
    expect(target.requests).toHaveLength(refused + 1);
  });

  it('tells of a worker that stays away past its grace period, and of statuses that keep failing', async () => {
    const target = await receiver();
    const workers = [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, gracePeriod: '100ms' }];
    const { master } = await setUp({ minInterval: '0s', reportingFailingAfter: '0s', webhooks: [{ url: hookUrl, format: 'json' }] }, undefined, { workers });
    master.stores.workers.markConnected({ name: 'w1', instanceId: 'i', at: 1_000, version: '1', slots: 1, arch: '[]', labels: '[]', images: '[]' });
    master.stores.workers.markDisconnected('w1', 2_000);
    master.bus.emit({ type: 'worker', name: 'w1' });
    const build = master.stores.builds.create(newBuild('unit'));
    master.stores.statuses.add({ buildId: build.id, transition: 'queued@0', repo: 'o/r', sha: 'a'.repeat(40), context: 'gatehouse/unit', state: 'pending', description: 'queued', targetUrl: undefined });
    master.notifications.reportingFailed('statuses');
    await target.waitForRequests(2);
    const kinds = target.requests.map((r) => (JSON.parse(r.body.toString()) as { kind: string; title: string }));
    expect(kinds).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'worker-lost', title: 'worker w1 is lost (away for over 100ms)', link: 'https://ci.example.org/#/workers' }),
      expect.objectContaining({ kind: 'reporting-failing', title: expect.stringMatching(/^commit statuses have been failing for \d+ms$/) }),
    ]));
  });

  it('writes nothing when no channel is configured', async () => {
    const { master } = await setUp(undefined);
    finish(master, 'failure');
    expect(master.stores.notifications.all()).toEqual([]);
  });
});
