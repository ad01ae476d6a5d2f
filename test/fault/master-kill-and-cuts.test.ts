// Fault suite: a real master process, a real worker process behind a TCP proxy, the GitHub
// stand-in. Mid-step the worker's WebSocket is cut twice, then the master is killed with SIGKILL and
// started again on the same data dir and port. Afterwards: the build is final, every log line is
// stored exactly once and in order, each status transition of its context was posted once and in
// order ending in the final state, and nothing the step started is left running.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../support/temp-dir.js';
import { createTestRepo } from '../support/worker-git-repo.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../support/test-config.js';
import { postPrOpened } from '../support/sign-webhook.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-api-stand-in.js';
import { startMasterProcess, type MasterProcess } from '../support/master-process.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitUntil } from '../support/report-test-master.js';

const LINES = 3000;
const MARKER = `gatehouse-fault-${process.pid}`;
// Numbered lines with pauses, so the faults land mid-step; the marker names the step's processes.
const STEP = `for i in $(seq 1 ${LINES}); do echo "line $i"; if [ $((i % 50)) -eq 0 ]; then sleep 0.05; fi; done; : ${MARKER}`;

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});

describe('fault suite: master SIGKILL and WebSocket cuts mid-step', () => {
  const dir = makeTempDir('gatehouse-fault-');
  let master: MasterProcess | undefined;
  let worker: WorkerProcess | undefined;
  let proxy: TcpProxy | undefined;
  let gh: GitHubStandIn | undefined;
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    await master?.kill('SIGKILL');
    await proxy?.close();
    await gh?.close();
    dir.remove();
  });

  it('the build is final, its log whole and once, its statuses once and in order, nothing left running', async () => {
    const repo = createTestRepo(path.join(dir.path, 'upstream'));
    const sha = repo.commit({ 'a.txt': 'a\n' }, 'PR 1');
    repo.setRef('refs/pull/1/head', sha);
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: [{ number: 1, head: { sha }, base: { ref: 'master' }, authorAssociation: 'OWNER' }] } } });
    const port = await freePort();
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const base = testConfig({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1, gracePeriod: '60s' }],
      builders: [{ name: 'b', executor: 'host', steps: [{ name: 'print', run: STEP }] }],
    });
    writeFileSync(configFile, JSON.stringify({
      ...base, dataDir: path.join(dir.path, 'data'),
      github: { ...base.github, cloneUrl: repo.dir, apiUrl: gh.url, token: { env: 'GH_TOKEN' } },
    }));
    const args = ['master', '--config', configFile, '--port', String(port)];
    master = await startMasterProcess(args);
    proxy = await startTcpProxy(port);
    worker = startWorkerProcess(configFile, 'w1', `ws://127.0.0.1:${proxy.port}`);
    await worker.waitFor('connected to the master');

    expect(await postPrOpened(master.url, TEST_SECRETS.GH_WEBHOOK_SECRET, TEST_REPO, 1, sha)).toBe(200);

    const api = `http://127.0.0.1:${port}/api/v2`;
    const log = async () => (await fetch(`${api}/builds/1/steps/0/log`)).text().catch(() => '');
    const reached = (line: number) => waitUntil(async () => (await log()).includes(`line ${line}\n`), `line ${line} stored`, 20_000);

    await reached(300);
    proxy.cut(500);
    await reached(800);
    proxy.cut(200);
    await reached(1300);
    await master.kill('SIGKILL');
    master = await startMasterProcess(args);

    let build: { state: string; result: string | null } | undefined;
    await waitUntil(async () => {
      build = ((await (await fetch(`${api}/builds/1`)).json()) as { builds: Array<{ state: string; result: string | null }> }).builds[0];
      return build?.state === 'finished';
    }, 'the build to finish', 60_000);
    expect(build, `${worker.output()}\n${master.output()}`).toMatchObject({ state: 'finished', result: 'success' });
    expect((await log()).split('\n').filter((l) => l.startsWith('line '))).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
    expect(worker.output().match(/connected to the master/g)?.length).toBeGreaterThanOrEqual(3);

    // Statuses: the final one arrives; for this (sha, context) each state was posted at most once,
    // in the order the build went through them, and nothing was posted after the final one.
    await waitUntil(() => gh?.statuses.some((s) => s.state === 'success') ?? false, 'the final status', 20_000);
    const order = ['Build queued.', 'Build started.', 'Build done.'];
    const posted = gh.statuses.filter((s) => s.sha === sha && s.context === 'gatehouse/b').map((s) => s.description ?? '');
    const ranks = posted.map((d) => order.findIndex((o) => d.startsWith(o)));
    expect(ranks.every((r) => r >= 0), posted.join(' | ')).toBe(true);
    expect([...ranks].sort()).toEqual(ranks);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(posted.at(-1)).toMatch(/^Build done\./);
    gh.assertNoValidationErrors();

    // Nothing the step started is left (its command line carries the marker).
    const left = (() => {
      try {
        return execFileSync('pgrep', ['-f', MARKER], { encoding: 'utf8' }).trim();
      } catch {
        return ''; // pgrep exits 1 when nothing matches
      }
    })();
    expect(left).toBe('');
  }, 120_000);
});
