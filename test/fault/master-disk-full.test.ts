// Fault suite: the master's data disk fills up mid-step, and the master is even restarted while it
// is full. The data dir is a 64 MiB tmpfs this test mounts (root only; outside CI the test is
// skipped with the reason when it cannot mount, in CI it fails). While full: the master stays up,
// /healthz says 503 and why, a signed webhook gets 503 + Retry-After, the worker's messages are left
// unacked. Once the filler is deleted: /healthz is 200 again by itself, the build finishes, every
// line the step printed is stored exactly once and in order, and its final status is posted.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../support/temp-dir.js';
import { createTestRepo } from '../support/worker-git-repo.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../support/test-config.js';
import { examplePayload, webhookHeaders } from '../support/sign-webhook.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-api-stand-in.js';
import { startMasterProcess, type MasterProcess } from '../support/master-process.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { waitUntil } from '../support/report-test-master.js';
import { fillDisk, mountSmallDisk, type SmallDisk } from '../support/small-disk.js';

const LINES = 4000;
// Numbered lines over ~8 s, so the disk fills while the step is still printing.
const STEP = `for i in $(seq 1 ${LINES}); do echo "line $i"; if [ $((i % 25)) -eq 0 ]; then sleep 0.05; fi; done`;
const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});

function pullRequestBody(n: number, sha: string): string {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO;
  p.number = n;
  p.pull_request.head.sha = sha;
  return JSON.stringify(p);
}

describe('fault suite: the master data disk full, then freed', () => {
  const dir = makeTempDir('gatehouse-fault-');
  const mnt = path.join(dir.path, 'data');
  let disk: SmallDisk | undefined;
  let master: MasterProcess | undefined;
  let worker: WorkerProcess | undefined;
  let gh: GitHubStandIn | undefined;
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await master?.kill('SIGKILL');
    await gh?.close();
    disk?.unmount();
    dir.remove();
  });

  it('stays up, answers 503, keeps every message and resumes by itself', async (ctx) => {
    disk = mountSmallDisk('master data disk full', mnt, '64m');
    if (!disk) return ctx.skip();

    const repo = createTestRepo(path.join(dir.path, 'upstream'));
    const sha = repo.commit({ 'a.txt': 'a\n' }, 'PR 1');
    repo.setRef('refs/pull/1/head', sha);
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: [{ number: 1, head: { sha }, base: { ref: 'master' }, authorAssociation: 'OWNER' }] } } });
    const port = await freePort();
    const base = testConfig({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1, gracePeriod: '120s' }],
      builders: [{ name: 'b', executor: 'host', steps: [{ name: 'print', run: STEP }] }],
    });
    const config = { ...base, github: { ...base.github, cloneUrl: repo.dir, apiUrl: gh.url, token: { env: 'GH_TOKEN' } } };
    // The master's data on the small disk; the worker's on the big one (its disk is not the fault here).
    const masterConfig = path.join(dir.path, 'master.config.json');
    const workerConfig = path.join(dir.path, 'worker.config.json');
    writeFileSync(masterConfig, JSON.stringify({ ...config, dataDir: mnt }));
    writeFileSync(workerConfig, JSON.stringify({ ...config, dataDir: path.join(dir.path, 'worker-data') }));
    const args = ['master', '--config', masterConfig, '--port', String(port)];
    master = await startMasterProcess(args);
    worker = startWorkerProcess(workerConfig, 'w1', `ws://127.0.0.1:${port}`);
    await worker.waitFor('connected to the master');

    const url = `http://127.0.0.1:${port}`;
    const body = pullRequestBody(1, sha);
    expect((await fetch(`${url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) })).status).toBe(200);
    const log = async () => (await fetch(`${url}/api/v2/builds/1/steps/0/log`)).text().catch(() => '');
    await waitUntil(async () => (await log()).includes('line 300\n'), 'line 300 stored', 20_000);

    const filler = path.join(mnt, 'filler');
    fillDisk(filler);
    const health = async () => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
    };
    expect(await health()).toMatchObject({ status: 503, body: { ok: false, error: expect.stringMatching(/database or disk is full/) } });
    const body2 = pullRequestBody(2, sha);
    const refused = await fetch(`${url}/change_hook/github`, { method: 'POST', body: body2, headers: webhookHeaders('pull_request', body2, TEST_SECRETS.GH_WEBHOOK_SECRET) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    // The worker's messages go unstored and unacked: it is told to send them again, twice over.
    await worker.waitFor(/could not store a message[\s\S]*could not store a message/, 20_000);
    expect(master.child.exitCode, master.output()).toBeNull();

    // Restarted while the disk is full: it starts, and says why it is unhealthy.
    await master.kill('SIGKILL');
    master = await startMasterProcess(args);
    expect(await health()).toMatchObject({ status: 503, body: { ok: false, error: expect.stringMatching(/database or disk is full/) } });
    await worker.waitFor(/could not store a message[\s\S]*could not store a message[\s\S]*could not store a message/, 20_000);
    expect(master.child.exitCode, master.output()).toBeNull();

    rmSync(filler);
    await waitUntil(async () => (await health()).status === 200, '/healthz 200 once space is back', 10_000);
    let build: { state: string; result: string | null } | undefined;
    await waitUntil(async () => {
      build = ((await (await fetch(`${url}/api/v2/builds/1`)).json()) as { builds: Array<{ state: string; result: string | null }> }).builds[0];
      return build?.state === 'finished';
    }, 'the build to finish', 40_000);
    expect(build, `${worker.output()}\n${master.output()}`).toMatchObject({ state: 'finished', result: 'success' });
    expect((await log()).split('\n').filter((l) => l.startsWith('line '))).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
    // Nothing was acknowledged and then lost, and nothing restarted the worker's builds.
    expect(master.output()).not.toMatch(/no longer holds messages|bad message/);
    await waitUntil(() => gh?.statuses.some((s) => s.sha === sha && s.state === 'success') ?? false, 'the final status', 20_000);
    gh.assertNoValidationErrors();
  }, 90_000);
});
