// What happens when things break mid-build: a worker killed, its connection cut, the master killed.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, WORKER_NAME_HEADER, type MasterMessage } from '../../../shared/protocol.js';
import { startCiCluster, allFinished, type CiCluster } from '../../support/ci-cluster.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { startMasterProcess, type MasterProcess } from '../../support/master-process.js';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { createTestRepo } from '../../support/worker-git-repo.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { postPrOpened } from '../../support/sign-webhook.js';

/** A step printing `count` numbered lines over a few seconds. */
const numbered = (count: number, pause: string) => `for i in $(seq 1 ${count}); do echo "line $i"; if [ $((i % 50)) -eq 0 ]; then sleep ${pause}; fi; done`;
const expectedLines = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`);
const worker1 = (grace: string) => [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1, gracePeriod: grace }];

describe('recovery', () => {
  let ci: CiCluster | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await ci?.stop();
    ci = undefined;
    proxy = undefined;
  });

  it('a worker killed with SIGKILL mid-build: the build ends as error after the grace period', async () => {
    ci = await startCiCluster({ workers: worker1('1s'), builders: [{ name: 'b', executor: 'host', steps: [{ name: 'long', run: 'echo begun; sleep 30' }] }] });
    const w = await ci.startWorker('w1');
    await ci.openPr(1);
    for (let i = 0; i < 200 && !(await ci.log(1, '0')).includes('begun'); i++) await new Promise((r) => setTimeout(r, 25));
    await w.kill('SIGKILL');
    const [build] = await ci.waitForBuilds(allFinished(1), 10_000);
    expect(build).toMatchObject({ result: 'error', result_reason: 'worker w1 lost' });
  });

  it('a build whose worker vanished before any step started goes back to the queue once', async () => {
    ci = await startCiCluster({ workers: [...worker1('500ms'), { name: 'w2', secret: { env: 'WORKER_SECRET' }, slots: 1 }], builders: [{ name: 'b', executor: 'host', steps: [{ name: 's', run: 'echo ran' }] }] });
    // A worker that takes the build and dies before starting it: the protocol spoken by hand.
    const ws = new WebSocket(`ws://127.0.0.1:${ci.port}/api/worker`, { headers: { authorization: `Bearer ${TEST_SECRETS.WORKER_SECRET}`, [WORKER_NAME_HEADER]: 'w1' } });
    const started = new Promise<void>((resolve) => ws.on('message', (raw) => { if ((JSON.parse(raw.toString()) as MasterMessage).type === 'build.start') resolve(); }));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, name: 'w1', instanceId: 'by-hand', version: 'test', arch: ['x86_64'], slots: 1, labels: [], images: [], running: [] }));
    await new Promise((r) => setTimeout(r, 100));
    await ci.openPr(1);
    await started;
    ws.terminate();
    await ci.waitForBuilds((b) => b[0]?.state === 'queued', 5000);
    await ci.startWorker('w2');
    const [build] = await ci.waitForBuilds(allFinished(1));
    expect(build).toMatchObject({ result: 'success', worker: 'w2' });
  });

  it('the WebSocket cut and restored mid-step loses and repeats no log line', async () => {
    ci = await startCiCluster({ workers: worker1('30s'), builders: [{ name: 'b', executor: 'host', steps: [{ name: 'print', run: numbered(4000, '0.05') }] }] });
    proxy = await startTcpProxy(ci.port);
    const w = await ci.startWorker('w1', { port: proxy.port });
    await ci.openPr(1);
    for (let i = 0; i < 200 && !(await ci.log(1, '0')).includes('line 500'); i++) await new Promise((r) => setTimeout(r, 20));
    proxy.cut(700);
    await new Promise((r) => setTimeout(r, 300));
    proxy.cut(300);
    const [build] = await ci.waitForBuilds(allFinished(1), 30_000);
    expect(build?.result).toBe('success');
    expect(w.output()).toMatch(/connected to the master[\s\S]*connected to the master/);
    const lines = (await ci.log(1, '0')).split('\n').filter((l) => l.startsWith('line '));
    expect(lines).toEqual(expectedLines(4000));
  });
});

describe('master killed while a worker runs a build', () => {
  const dir = makeTempDir();
  let master: MasterProcess | undefined;
  let worker: WorkerProcess | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    await master?.kill('SIGKILL');
    dir.remove();
  });

  it('the build continues, and its log is whole once the master is back', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const repo = createTestRepo(path.join(dir.path, 'upstream'));
    const sha = repo.commit({ 'a.txt': 'a\n' }, 'PR 1');
    repo.setRef('refs/pull/1/head', sha);
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const base = testConfig({ workers: worker1('60s'), builders: [{ name: 'b', executor: 'host', steps: [{ name: 'print', run: numbered(3000, '0.05') }] }] });
    writeFileSync(configFile, JSON.stringify({ ...base, github: { ...base.github, cloneUrl: repo.dir }, dataDir: path.join(dir.path, 'data') }));
    const args = ['master', '--config', configFile, '--port', String(port)];
    master = await startMasterProcess(args);
    worker = startWorkerProcess(configFile, 'w1', `ws://127.0.0.1:${port}`);
    await worker.waitFor('connected to the master');
    expect(await postPrOpened(master.url, TEST_SECRETS.GH_WEBHOOK_SECRET, TEST_REPO, 1, sha)).toBe(200);
    const log = async () => (await fetch(`http://127.0.0.1:${port}/api/v2/builds/1/steps/0/log`)).text();
    for (let i = 0; i < 200 && !(await log()).includes('line 300'); i++) await new Promise((r) => setTimeout(r, 20));
    await master.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    master = await startMasterProcess(args);
    let build: { state: string; result: string | null } | undefined;
    for (let i = 0; i < 400; i++) {
      build = ((await (await fetch(`http://127.0.0.1:${port}/api/v2/builds/1`)).json()) as { builds: Array<{ state: string; result: string | null }> }).builds[0];
      if (build?.state === 'finished') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(build, `${JSON.stringify(build)}\n${worker.output()}\n${master.output()}`).toMatchObject({ state: 'finished', result: 'success' });
    expect((await log()).split('\n').filter((l) => l.startsWith('line '))).toEqual(expectedLines(3000));
  });
});
