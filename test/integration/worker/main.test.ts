// The entry point the CLI calls: a real config file, the worker's own secret from the environment.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config.js';
import { WorkerRefusedError } from '../../../worker/connection.js';
import { runWorkerFromConfig } from '../../../worker/main.js';
import { captureLogger, waitUntil } from '../../support/worker-build-spec.js';
import { startTestMaster, type TestMaster } from '../../support/worker-test-master.js';

let tmp: string;
let configFile: string;
let master: TestMaster;

beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-main-'));
  master = await startTestMaster({ workers: { w1: 'from-env' } });
  configFile = path.join(tmp, 'gatehouse.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: './data',
      github: { repo: 'acme/widgets', webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
      workers: [{ name: 'w1', secret: { env: 'W1_SECRET' }, slots: 3, labels: ['big'] }],
      builders: [{ name: 'unit', steps: [{ name: 'test', run: 'true' }] }],
    }),
  );
});

afterEach(async () => {
  await master.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('runWorkerFromConfig', () => {
  it('announces the config entry (slots, labels) with only its own secret set, and stops when asked', async () => {
    const stop = new AbortController();
    const running = runWorkerFromConfig({ config: configFile, name: 'w1', master: master.url, env: { W1_SECRET: 'from-env' }, logger: captureLogger(), handleSignals: false, signal: stop.signal });
    await waitUntil(() => master.hellos.length === 1, 'hello');
    expect(master.hellos[0]).toMatchObject({ name: 'w1', slots: 3, labels: ['big'] });
    stop.abort();
    await running;
  });

  it('rejects when the master refuses the worker', async () => {
    master.protocol = 999;
    await expect(runWorkerFromConfig({ config: configFile, name: 'w1', master: master.url, env: { W1_SECRET: 'from-env' }, logger: captureLogger(), handleSignals: false })).rejects.toThrow(
      WorkerRefusedError,
    );
  });

  it('names the known workers when the name is not in the config, and the variable when the secret is unset', async () => {
    await expect(runWorkerFromConfig({ config: configFile, name: 'nope', env: { W1_SECRET: 'x' }, handleSignals: false })).rejects.toThrow('no worker named "nope" (known: w1)');
    await expect(runWorkerFromConfig({ config: configFile, name: 'w1', env: {}, handleSignals: false })).rejects.toThrow(ConfigError);
    await expect(runWorkerFromConfig({ config: configFile, name: 'w1', env: {}, handleSignals: false })).rejects.toThrow('W1_SECRET is not set');
  });
});
