// Fault suite: 20 pushes to one pull request within a second (synchronize webhooks, each a new
// head), against a real master process (GitHub client with its production pacing of one write a
// second), a real worker process and the GitHub stand-in. Each new head supersedes the build of the
// one before. Afterwards: the last head's build succeeded and its final status reached GitHub soon
// after the build ended (not behind the stale heads' statuses); every head ends with exactly one
// final status; and for no (sha, context) was a state posted after a newer one.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../support/temp-dir.js';
import { createTestRepo } from '../support/worker-git-repo.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../support/test-config.js';
import { webhookHeaders } from '../support/sign-webhook.js';
import { startGitHubStandIn, type GitHubStandIn, type RecordedStatus } from '../support/github-api-stand-in.js';
import { startMasterProcess, type MasterProcess } from '../support/master-process.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { prPayload, waitUntil } from '../support/report-test-master.js';

const PUSHES = 20;
const CONTEXT = 'gatehouse/b';

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});

/** The rank of a status in a build's life: queued/started are pending, a final one ends it. */
const rank = (s: RecordedStatus) => (s.state !== 'pending' ? 2 : s.description?.startsWith('Build started') ? 1 : 0);

describe('fault suite: 20 pushes to one pull request within a second', () => {
  const dir = makeTempDir('gatehouse-fault-pushes-');
  let master: MasterProcess | undefined;
  let worker: WorkerProcess | undefined;
  let gh: GitHubStandIn | undefined;
  let stopWatch: (() => void) | undefined;
  afterEach(async () => {
    stopWatch?.();
    await worker?.kill('SIGKILL');
    await master?.kill('SIGKILL');
    await gh?.close();
    dir.remove();
  });

  it('the last head\'s final status goes out right after its build, and no stale state follows a newer one', async () => {
    const repo = createTestRepo(path.join(dir.path, 'upstream'));
    const shas = Array.from({ length: PUSHES }, (_, i) => repo.commit({ 'a.txt': `push ${i}\n` }, `push ${i}`));
    repo.setRef('refs/pull/1/head', shas.at(-1)!);
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: [{ number: 1, head: { sha: shas.at(-1)! }, base: { ref: 'master' }, authorAssociation: 'OWNER' }] } } });
    const port = await freePort();
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const base = testConfig({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1 }],
      builders: [{ name: 'b', executor: 'host', steps: [{ name: 'work', run: 'sleep 2' }] }],
    });
    writeFileSync(configFile, JSON.stringify({
      ...base, dataDir: path.join(dir.path, 'data'),
      github: { ...base.github, cloneUrl: repo.dir, apiUrl: gh.url, token: { env: 'GH_TOKEN' }, reconcileInterval: 0 },
    }));
    master = await startMasterProcess(['master', '--config', configFile, '--port', String(port)]);
    worker = startWorkerProcess(configFile, 'w1', `ws://127.0.0.1:${port}`);
    await worker.waitFor('connected to the master');

    // When each status reached the stand-in, to within the 10 ms of this watch.
    const seenAt: number[] = [];
    const watch = setInterval(() => {
      while (seenAt.length < (gh?.statuses.length ?? 0)) seenAt.push(Date.now());
    }, 10);
    stopWatch = () => clearInterval(watch);

    // All sent at once, as a burst of pushes arrives; the master's newest build is the head it takes
    // as current (deliveries may overtake each other on the way).
    const bodies = shas.map((sha, i) => JSON.stringify(prPayload({ number: 1, sha, action: i === 0 ? 'opened' : 'synchronize' })));
    const started = Date.now();
    const answers = bodies.map((body) =>
      fetch(`${master!.url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) }).then((r) => r.status));
    expect(await Promise.all(answers)).toEqual(shas.map(() => 200));
    const spread = Date.now() - started;

    const api = `${master.url}/api/v2`;
    type ApiBuild = { id: number; sha: string; state: string; result: string | null; finished_at: number | null };
    const builds = async () => ((await (await fetch(`${api}/builds?order=id&limit=100`)).json()) as { builds: ApiBuild[] }).builds;
    await waitUntil(async () => (await builds()).length === PUSHES, 'a build per push', 30_000);
    let last = (await builds()).at(-1)!;
    const head = last.sha;
    await waitUntil(async () => {
      last = (await builds()).find((b) => b.id === last.id)!;
      return last.state === 'finished';
    }, 'the last head\'s build to finish', 60_000);
    expect(last, master.output()).toMatchObject({ result: 'success' });

    const finalOf = (sha: string) => gh?.statuses.findIndex((s) => s.sha === sha && s.context === CONTEXT && s.state !== 'pending') ?? -1;
    await waitUntil(() => finalOf(head) >= 0, 'the last head\'s final status', 60_000);
    const delay = seenAt[finalOf(head)]! - last.finished_at!;
    console.log(`${PUSHES} pushes sent and answered in ${spread} ms; final status of the last head posted ${delay} ms after its build ended (${gh.statuses.length} statuses posted by then)`);
    expect(gh.statuses[finalOf(head)]).toMatchObject({ state: 'success', description: 'Build done.' });
    // Generous: it must not wait behind the stale heads' statuses (about 40 s at one write a second).
    expect(delay).toBeLessThan(10_000);

    // Every head ends with exactly one final status; per head, ranks only go up, each state once.
    await waitUntil(() => shas.every((sha) => finalOf(sha) >= 0), 'a final status for every head', 90_000);
    const all = await builds();
    expect(all.every((b) => b.state === 'finished')).toBe(true);
    for (const sha of shas) {
      const posted = gh.statuses.filter((s) => s.sha === sha && s.context === CONTEXT);
      const ranks = posted.map(rank);
      expect([...ranks].sort(), `${sha}: ${posted.map((s) => s.description).join(' | ')}`).toEqual(ranks);
      expect(new Set(ranks).size).toBe(ranks.length);
      expect(ranks.at(-1)).toBe(2);
      if (sha !== head) expect(posted.at(-1)).toMatchObject({ state: 'error', description: expect.stringMatching(/^Build cancelled: superseded by /) });
    }
    // Nothing more arrives: the master's outbox holds nothing pending (every row sent or superseded).
    const outbox = (await (await fetch(`${api}/builds/${last.id}/reporting`)).json()) as { statuses: Array<{ state: string }> };
    expect(outbox.statuses.at(-1)).toMatchObject({ state: 'sent' });
    gh.assertNoValidationErrors();
  }, 180_000);
});
