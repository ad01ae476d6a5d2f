// Fault suite: storing one of a worker's messages fails once (the log store's append writes the
// bytes, then throws ENOSPC, as a disk filling up mid-write would), while the worker keeps sending.
// Nothing after the failed message may be applied before it: the master ends the connection, the
// worker resends from the failed message after its reconnect, and the step's log ends up whole,
// each line once and in order.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../shared/config.js';
import { createMaster, type Master } from '../../master/create-master.js';
import { createLogStore, type LogStore } from '../../master/logs/log-store.js';
import { makeTempDir } from '../support/temp-dir.js';
import { createTestRepo } from '../support/worker-git-repo.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../support/test-config.js';
import { examplePayload, webhookHeaders } from '../support/sign-webhook.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { waitUntil } from '../support/report-test-master.js';
import { createLogger } from '../../shared/logger.js';

const LINES = 4000;
// Fast output in many chunks, so later messages are already on their way when one fails.
const STEP = `for i in $(seq 1 ${LINES}); do echo "line $i"; if [ $((i % 200)) -eq 0 ]; then sleep 0.02; fi; done`;
const FAIL_AT_APPEND = 10;

/** A real log store whose `FAIL_AT_APPEND`th append stores its bytes and then fails, once. */
function failingOnce(inner: LogStore, appended: number[]): LogStore {
  let calls = 0;
  return {
    ...inner,
    append(buildId, step, committed, entry) {
      calls += 1;
      appended.push(entry.seq);
      const size = inner.append(buildId, step, committed, entry);
      if (calls === FAIL_AT_APPEND) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return size;
    },
  };
}

describe('fault suite: a worker message whose apply fails once', () => {
  const dir = makeTempDir('gatehouse-fault-');
  let master: Master | undefined;
  let worker: WorkerProcess | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    await master?.close();
    dir.remove();
  });

  it('is applied before anything after it, sent again, and the log is stored whole and once', async () => {
    const repo = createTestRepo(path.join(dir.path, 'upstream'));
    const sha = repo.commit({ 'a.txt': 'a\n' }, 'PR 1');
    repo.setRef('refs/pull/1/head', sha);
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const base = testConfig({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1, gracePeriod: '60s' }],
      builders: [{ name: 'b', executor: 'host', steps: [{ name: 'print', run: STEP }] }],
    });
    writeFileSync(configFile, JSON.stringify({ ...base, dataDir: path.join(dir.path, 'data'), github: { ...base.github, cloneUrl: repo.dir } }));
    const loaded = await loadConfig(configFile, { env: TEST_SECRETS });
    const masterLog: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => void (masterLog.push(chunk.toString()), done()) });
    const appended: number[] = [];
    master = await createMaster({
      config: loaded.config, secrets: loaded.secrets, logger: createLogger({ level: 'warn', destination: stream }),
      logs: failingOnce(createLogStore(path.join(loaded.config.dataDir, 'logs')), appended),
    });
    const url = await master.app.listen({ port: 0, host: '127.0.0.1' });
    worker = startWorkerProcess(configFile, 'w1', url.replace('http:', 'ws:'));
    await worker.waitFor('connected to the master');

    const p = examplePayload('pull_request', 'opened');
    p.repository.full_name = TEST_REPO;
    p.pull_request.head.repo.full_name = TEST_REPO;
    p.number = 1;
    p.pull_request.head.sha = sha;
    const body = JSON.stringify(p);
    expect((await fetch(`${url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) })).status).toBe(200);

    await waitUntil(() => master?.builds.get(1)?.state === 'finished', 'the build to finish', 40_000);
    expect(master.builds.get(1), worker.output()).toMatchObject({ state: 'finished', result: 'success' });
    const log = await (await fetch(`${url}/api/v2/builds/1/steps/0/log`)).text();
    expect(log.split('\n').filter((l) => l.startsWith('line '))).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));

    // The failed message was the next one stored: nothing behind it went first.
    const failed = appended[FAIL_AT_APPEND - 1] as number;
    expect(appended[FAIL_AT_APPEND]).toBe(failed);
    // Appends came in seq order, the failed one twice, nothing else repeated.
    expect(appended.filter((s) => s === failed)).toHaveLength(2);
    expect([...appended].sort((a, b) => a - b)).toEqual(appended);
    // The worker reconnected (the master asked it to try again) and the failure was not called a bad message.
    expect(worker.output()).toMatch(/the master could not store a message \(storage failed: send again later\); sending again from it[\s\S]*connected to the master/);
    const text = masterLog.join('');
    expect(text).toContain('no space left on device');
    expect(text).not.toContain('bad message');
  }, 60_000);
});
