// Fault suite: 20 pushes to one pull request within a second (synchronize webhooks, each a new
// head), against a real master process (GitHub client with its production pacing of one write a
// second), a real worker process and the GitHub stand-in. Each new head supersedes the build of the
// one before. Afterwards: the last head's build succeeded and its final status reached GitHub soon
// after the build ended (not behind the stale heads' statuses); every head ends with exactly one
// final status; and for no (sha, context) was a state posted after a newer one.
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_SECRETS } from '../support/test-config.js';
import { webhookHeaders } from '../support/sign-webhook.js';
import { prPayload, waitUntil } from '../support/report-test-master.js';
import { startReportFaultCluster, statusRank as rank, type ReportFaultCluster } from '../support/report-fault-cluster.js';

const PUSHES = 20;
const CONTEXT = 'gatehouse/b';

describe('fault suite: 20 pushes to one pull request within a second', () => {
  let cluster: ReportFaultCluster | undefined;
  let stopWatch: (() => void) | undefined;
  afterEach(async () => {
    stopWatch?.();
    await cluster?.stop();
  });

  it('the last head\'s final status goes out right after its build, and no stale state follows a newer one', async () => {
    cluster = await startReportFaultCluster({ builders: [{ name: 'b', executor: 'host', steps: [{ name: 'work', run: 'sleep 2' }] }] });
    const { gh, master, repo } = cluster;
    const shas = Array.from({ length: PUSHES }, (_, i) => repo.commit({ 'a.txt': `push ${i}\n` }, `push ${i}`));
    repo.setRef('refs/pull/1/head', shas.at(-1)!);

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
      fetch(`${master.url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) }).then((r) => r.status));
    expect(await Promise.all(answers)).toEqual(shas.map(() => 200));
    const spread = Date.now() - started;

    const builds = cluster.builds;
    await waitUntil(async () => (await builds()).length === PUSHES, 'a build per push', 30_000);
    let last = (await builds()).at(-1)!;
    const head = last.sha;
    await waitUntil(async () => {
      last = (await builds()).find((b) => b.id === last.id)!;
      return last.state === 'finished';
    }, 'the last head\'s build to finish', 60_000);
    expect(last, master.output()).toMatchObject({ result: 'success' });

    const finalOf = (sha: string) => gh?.statuses.findIndex((s) => s.sha === sha && s.context === CONTEXT && s.state !== 'pending') ?? -1;
    await waitUntil(() => finalOf(head) >= 0 && seenAt.length > finalOf(head), 'the last head\'s final status', 60_000);
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
    // The stand-in sees a post before the master records GitHub's answer: wait for the record.
    const settled = async () => {
      for (const b of all) if ((await cluster!.reporting(b.id)).statuses.some((s) => s.state === 'pending')) return false;
      return true;
    };
    await waitUntil(settled, 'the outbox to settle', 30_000);
    for (const b of all) {
      const { statuses } = await cluster.reporting(b.id);
      expect(statuses.at(-1)).toMatchObject({ transition: 'finished', state: 'sent' });
      expect(statuses.every((s) => s.state === 'sent' || s.state === 'superseded'), JSON.stringify(statuses)).toBe(true);
    }
    gh.assertNoValidationErrors();
  }, 180_000);
});
