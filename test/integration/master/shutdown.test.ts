// SIGTERM on the real `gatehouse master` process (built from dist/): webhooks are refused while it
// stops, the worker is told goodbye (close code 1001) instead of losing the line, the process exits
// 0 within --shutdown-timeout, and the database it leaves opens clean with everything it took.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { startMasterProcess, type MasterProcess } from '../../support/master-process.js';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.js';
import { postPrOpened } from '../../support/sign-webhook.js';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { examplePayload } from '../../support/sign-webhook.js';

const SHA = '5'.repeat(40);

describe('master shutdown', () => {
  const dir = makeTempDir('gatehouse-shutdown-');
  let master: MasterProcess | undefined;
  let worker: WorkerProcess | undefined;
  let inProcess: TestMaster | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    await master?.kill('SIGKILL');
    await inProcess?.stop();
    dir.remove();
  });

  it('on SIGTERM closes the worker\'s socket and the database, and exits 0 within the deadline', async () => {
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const dataDir = path.join(dir.path, 'data');
    // The builder needs a label no worker has: its build stays queued, so the worker only connects.
    writeFileSync(configFile, JSON.stringify({ ...testConfig({ builders: [{ name: 'unit', executor: 'host', labels: ['none-has-it'], steps: [{ name: 't', run: 'true' }] }] }), dataDir }));
    master = await startMasterProcess(['master', '--config', configFile, '--port', '0', '--shutdown-timeout', '5']);
    worker = startWorkerProcess(configFile, 'w1', master.url.replace('http:', 'ws:'));
    await worker.waitFor('connected to the master');
    expect(await postPrOpened(master.url, TEST_SECRETS.GH_WEBHOOK_SECRET, TEST_REPO, 1, SHA)).toBe(200);

    const child = master.child;
    const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
      const at = Date.now();
      child.once('exit', (code) => resolve({ code, ms: Date.now() - at }));
    });
    child.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(code, master.output()).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(master.output()).toContain('shutting down');
    await worker.waitFor(/connection to the master lost \(1001 master shutting down\)/);

    // Closed, not cut off: no write-ahead log left to replay, and what was taken is there.
    expect(existsSync(path.join(dataDir, 'gatehouse.sqlite-wal'))).toBe(false);
    const db = new Database(path.join(dataDir, 'gatehouse.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) AS n FROM deliveries').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT builder, state FROM builds').all()).toEqual([{ builder: 'unit', state: 'queued' }]);
    } finally {
      db.close();
    }
  });

  it('refuses webhooks with 503 once draining, and counts them', async () => {
    inProcess = await startTestMaster();
    inProcess.drain();
    const { status } = await inProcess.send('pull_request', examplePayload('pull_request', 'opened'));
    expect(status).toBe(503);
    expect(await inProcess.get('/healthz')).toEqual({ ok: true });
    const scrape = (await inProcess.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(scrape).toContain('gatehouse_webhooks_total{event="unverified",outcome="unavailable"} 1');
  });
}, 30_000);
