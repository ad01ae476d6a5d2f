// Only what this CI serves is acted on; a closed PR ends its builds; the same push twice builds
// once; every delivery, pings and ignored events included, is recorded with its action and repository.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO } from '../../support/test-config.js';
import { examplePayload } from '../../support/sign-webhook.js';

const FOREIGN = 'someone-else/other-repo';

interface Delivery { event: string; action: string | null; repo: string | null; pr: number | null; outcome: string; detail: string | null }
interface Build { id: number; builder: string; state: string; result: string | null; result_reason: string | null; sha: string; pr: number | null }

function prOpened(repo = TEST_REPO, sha = 'a'.repeat(40)) {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = repo;
  p.repository.clone_url = `https://github.com/${repo}.git`;
  p.pull_request.head.repo.full_name = repo;
  p.pull_request.head.sha = sha;
  return p;
}

function push(repo = TEST_REPO, sha = 'c'.repeat(40)) {
  const p = examplePayload('push');
  p.repository.full_name = repo;
  p.ref = 'refs/heads/main';
  p.after = sha;
  p.deleted = false;
  return p;
}

describe('webhooks: only what this CI serves', () => {
  let master: TestMaster;
  beforeEach(async () => {
    master = await startTestMaster({
      builders: [
        { name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] },
        { name: 'lint', executor: 'host', triggers: { pullRequest: false, push: { branches: ['main'] } }, steps: [{ name: 'lint', run: 'true' }] },
      ],
    });
  });
  afterEach(async () => master.stop());

  const deliveries = async () => (await master.get<{ deliveries: Delivery[] }>('/api/v2/deliveries?order=received_at')).deliveries;
  const builds = async () => (await master.get<{ builds: Build[] }>('/api/v2/builds?order=id')).builds;
  const changes = async () => (await master.get<{ meta: { total: number } }>('/api/v2/changes')).meta.total;

  it('a signed delivery for another repository is answered 202, recorded as ignored with the reason, and starts nothing', async () => {
    const comment = examplePayload('issue_comment', 'created');
    comment.repository.full_name = FOREIGN;
    comment.issue.pull_request = { url: 'https://api.github.com/repos/x/y/pulls/1' };
    comment.comment.body = '/retest';
    const answers = [
      await master.send('pull_request', prOpened(FOREIGN)),
      await master.send('push', push(FOREIGN)),
      await master.send('issue_comment', comment),
    ];
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers[0]?.body).toMatchObject({ ignored: `repository ${FOREIGN} is not served here` });
    const recorded = await deliveries();
    expect(recorded.map((d) => [d.event, d.repo, d.outcome, d.detail])).toEqual([
      ['pull_request', FOREIGN, 'ignored', `repository ${FOREIGN} is not served here`],
      ['push', FOREIGN, 'ignored', `repository ${FOREIGN} is not served here`],
      ['issue_comment', FOREIGN, 'ignored', `repository ${FOREIGN} is not served here`],
    ]);
    expect(await builds()).toEqual([]);
    expect(await changes()).toBe(0);
    // The same deliveries for the served repository do build (the check is not refusing everything).
    expect((await master.send('pull_request', prOpened())).status).toBe(200);
    expect((await builds()).map((b) => b.builder)).toEqual(['unit']);
  });

  it('compares repository names as GitHub does, ignoring case', async () => {
    expect((await master.send('pull_request', prOpened(TEST_REPO.toUpperCase()))).status).toBe(200);
    expect(await builds()).toHaveLength(1);
  });

  it('records ping and ignored events with their action and repository', async () => {
    const ping = examplePayload('ping');
    ping.repository = { ...(ping.repository ?? {}), full_name: TEST_REPO };
    expect((await master.send('ping', ping)).status).toBe(200);
    const star = { action: 'created', repository: { full_name: TEST_REPO }, starred_at: null };
    expect((await master.send('star', star)).status).toBe(202);
    expect((await deliveries()).map((d) => [d.event, d.action, d.repo, d.outcome, d.detail])).toEqual([
      ['ping', null, TEST_REPO, 'ignored', 'ping'],
      ['star', 'created', TEST_REPO, 'ignored', 'event star is not handled'],
    ]);
  });

  it('the same push delivered twice under new delivery ids queues one build per builder', async () => {
    expect((await master.send('push', push())).status).toBe(200);
    expect((await master.send('push', push())).status).toBe(200);
    expect((await builds()).map((b) => [b.builder, b.state])).toEqual([['lint', 'queued']]);
    const second = (await deliveries())[1];
    expect(second?.outcome).toBe('ignored');
    expect(second?.detail).toMatch(/^lint: already built for this push \(#1\)$/);
    // A new sha on the same branch is a new push.
    await master.send('push', push(TEST_REPO, 'd'.repeat(40)));
    expect(await builds()).toHaveLength(2);
  });

  it('a closed PR drops its queued builds and cancels its running ones, each with the reason', async () => {
    await master.send('pull_request', prOpened(TEST_REPO, 'a'.repeat(40)));
    const other = prOpened(TEST_REPO, 'b'.repeat(40));
    other.number = 99;
    other.pull_request.number = 99;
    await master.send('pull_request', other);
    const [first] = await builds();
    // Make the first one running, as a worker would.
    const row = master.builds.get(first?.id as number);
    expect(master.builds.claim(row?.request_id as number, row?.id as number, 'w1')).toBe(true);
    const cancels: number[] = [];
    const off = master.bus.on((e) => e.type === 'cancel-requested' && cancels.push(e.buildId));

    const closed = examplePayload('pull_request', 'closed');
    closed.repository.full_name = TEST_REPO;
    closed.number = first?.pr;
    closed.pull_request.number = first?.pr;
    expect((await master.send('pull_request', closed)).status).toBe(200);
    off();

    expect(cancels).toEqual([first?.id]);
    expect(master.builds.get(first?.id as number)?.cancel_requested).toBe('pull request closed');
    const after = await builds();
    // The other PR's build is untouched.
    expect(after.find((b) => b.pr === 99)).toMatchObject({ state: 'queued', result: null });
    const closedDelivery = (await deliveries()).at(-1);
    expect(closedDelivery).toMatchObject({ action: 'closed', outcome: 'cancelled' });
    expect(closedDelivery?.detail).toContain('unit #1: pull request closed');
  });

  it('a closed PR with a queued build ends it as cancelled', async () => {
    await master.send('pull_request', prOpened());
    const closed = examplePayload('pull_request', 'closed');
    closed.repository.full_name = TEST_REPO;
    closed.number = 2;
    closed.pull_request.number = 2;
    expect((await builds())[0]?.pr).toBe(2);
    await master.send('pull_request', closed);
    expect(await builds()).toMatchObject([{ state: 'finished', result: 'cancelled', result_reason: 'pull request closed' }]);
  });
});
