// The sender against a scripted GitHub: only the newest row per (sha, context), newest build first,
// superseding (also of a row in flight), backoff, rate-limit pauses, permanent refusals, giving up,
// and a close that does not lose a row.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../master/store/open-database.js';
import { createBuildStore } from '../../../master/store/build-store.js';
import { createStatusStore, type NewStatus } from '../../../master/store/status-store.js';
import { createStatusSender, type StatusPoster } from '../../../master/statuses/status-sender.js';
import { GitHubApiError } from '../../../master/github/github-api-error.js';
import type { CommitStatusInput } from '../../../master/github/github-client.js';
import { silentLogger } from '../../../shared/logger.js';
import { waitUntil } from '../../support/report-test-master.js';

type Call = { sha: string; context: string; description: string; at: number };

function setUp(now: () => number = Date.now) {
  const db: Db = openDatabase(':memory:');
  const builds = createBuildStore(db, Date.now);
  const ids = [1, 2, 3].map((n) => builds.create({ changeId: null, builder: `b${n}`, reason: 'test', repo: 'o/r', pr: n, sha: String(n).repeat(40), ref: null, cloneUrl: null, initial: { state: 'queued' } }).id);
  const outbox = createStatusStore(db, now);
  const calls: Call[] = [];
  const script: Array<(s: CommitStatusInput) => void> = [];
  const github: StatusPoster = {
    async createStatus(_repo, sha, status) {
      calls.push({ sha, context: status.context, description: status.description, at: Date.now() });
      script.shift()?.(status);
    },
  };
  const add = (buildId: number, transition: string, over: Partial<NewStatus> = {}) =>
    outbox.add({ buildId, transition, repo: 'o/r', sha: 'a'.repeat(40), context: 'ci/x', state: 'pending', description: transition, targetUrl: undefined, ...over });
  return { db, ids, outbox, calls, script, github, add };
}

describe('status sender', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('posts only the newest row of a (sha, context), newest build first; a row in backoff holds back only its own line', async () => {
    const t = setUp();
    const sender = createStatusSender({ outbox: t.outbox, github: t.github, logger: silentLogger, now: Date.now, retry: { baseMs: 150, maxMs: 150 } });
    closers.push(() => sender.close(), () => void t.db.close());
    t.script.push(() => {
      throw new GitHubApiError('GitHub createStatus failed: 502', 502, 'createStatus');
    });
    t.add(t.ids[0]!, 'queued@0');
    t.add(t.ids[0]!, 'started@1');
    t.add(t.ids[0]!, 'finished');
    t.add(t.ids[1]!, 'queued@0', { context: 'ci/other' });
    expect(t.add(t.ids[0]!, 'finished')).toBe(false); // a transition is queued once
    sender.wake();
    await waitUntil(() => t.calls.length === 3, 'three posts');
    expect(t.calls.map((c) => `${c.context} ${c.description}`)).toEqual([
      'ci/other queued@0', // the newer build first; 502
      'ci/x finished', // not held back by ci/other; the two rows before it were superseded
      'ci/other queued@0',
    ]);
    expect(t.calls[2]!.at - t.calls[0]!.at).toBeGreaterThanOrEqual(150 * 0.75 - 5);
    await waitUntil(() => t.outbox.due().length === 0 && t.outbox.nextDueAt() === undefined, 'nothing pending');
    expect(t.outbox.forBuild(t.ids[0]!).map((r) => [r.transition, r.state, r.attempts])).toEqual([
      ['queued@0', 'superseded', 0], ['started@1', 'superseded', 0], ['finished', 'sent', 1],
    ]);
  });

  it('a late row of an older build is superseded at once by a newer build\'s row of the same key', async () => {
    const t = setUp();
    t.add(t.ids[1]!, 'queued@0');
    t.add(t.ids[0]!, 'finished'); // the older build's event comes after the rebuild's
    expect(t.outbox.forBuild(t.ids[0]!).map((r) => r.state)).toEqual(['superseded']);
    expect(t.outbox.due().map((r) => [r.build_id, r.transition])).toEqual([[t.ids[1]!, 'queued@0']]);
    t.db.close();
  });

  it('an outbox from before superseding, with several pending rows of a key, keeps only the newest', async () => {
    const t = setUp();
    const insert = t.db.prepare(`INSERT INTO status_outbox (build_id, transition, repo, sha, context, github_state, description, next_attempt_at, created_at)
      VALUES (?, ?, 'o/r', ?, 'ci/x', 'pending', ?, 0, 0)`);
    insert.run(t.ids[0]!, 'queued@0', 'a'.repeat(40), 'Build queued.');
    insert.run(t.ids[0]!, 'started@0', 'a'.repeat(40), 'Build started.');
    insert.run(t.ids[1]!, 'queued@0', 'b'.repeat(40), 'Build queued.');
    const outbox = createStatusStore(t.db, Date.now);
    // Even before they are marked, an overtaken row is never due.
    expect(outbox.due().map((r) => [r.build_id, r.transition])).toEqual([[t.ids[1]!, 'queued@0'], [t.ids[0]!, 'started@0']]);
    expect(outbox.supersede()).toBe(1);
    expect(outbox.forBuild(t.ids[0]!).map((r) => r.state)).toEqual(['superseded', 'pending']);
    expect(outbox.due().map((r) => [r.build_id, r.transition])).toEqual([[t.ids[1]!, 'queued@0'], [t.ids[0]!, 'started@0']]);
    t.db.close();
  });

  it('a permanent refusal is given up and a later state of the line still goes', async () => {
    const t = setUp();
    const sender = createStatusSender({ outbox: t.outbox, github: t.github, logger: silentLogger, now: Date.now, retry: { baseMs: 10, maxMs: 10 } });
    closers.push(() => sender.close(), () => void t.db.close());
    t.script.push(() => {
      throw new GitHubApiError('GitHub createStatus failed: 422 No commit found for SHA', 422, 'createStatus');
    });
    t.add(t.ids[0]!, 'queued@0');
    sender.wake();
    await waitUntil(() => t.outbox.forBuild(t.ids[0]!)[0]!.state === 'failed', 'the refusal');
    t.add(t.ids[0]!, 'finished');
    sender.wake();
    await waitUntil(() => t.outbox.forBuild(t.ids[0]!).every((r) => r.state !== 'pending'), 'both rows done');
    expect(t.outbox.forBuild(t.ids[0]!).map((r) => [r.transition, r.state, r.attempts])).toEqual([['queued@0', 'failed', 1], ['finished', 'sent', 1]]);
    expect(t.outbox.forBuild(t.ids[0]!)[0]!.last_error).toContain('422');
  });

  it('a row that fails while a newer one of its key was queued is not retried; the newer one goes', async () => {
    const t = setUp();
    let fail = (_: Error) => {};
    const github: StatusPoster = {
      createStatus: (_repo, sha, status) => {
        t.calls.push({ sha, context: status.context, description: status.description, at: Date.now() });
        return t.calls.length === 1 ? new Promise<void>((_, reject) => (fail = reject)) : Promise.resolve();
      },
    };
    const sender = createStatusSender({ outbox: t.outbox, github, logger: silentLogger, now: Date.now, retry: { baseMs: 10, maxMs: 10 } });
    closers.push(() => sender.close(), () => void t.db.close());
    t.add(t.ids[0]!, 'queued@0');
    sender.wake();
    await waitUntil(() => t.calls.length === 1, 'the first post in flight');
    t.add(t.ids[0]!, 'started@0');
    t.add(t.ids[0]!, 'finished');
    sender.wake();
    fail(new GitHubApiError('GitHub createStatus failed: 502', 502, 'createStatus'));
    await waitUntil(() => t.outbox.forBuild(t.ids[0]!).every((r) => r.state !== 'pending'), 'the line done');
    expect(t.calls.map((c) => c.description)).toEqual(['queued@0', 'finished']);
    expect(t.outbox.forBuild(t.ids[0]!).map((r) => [r.transition, r.state])).toEqual([['queued@0', 'superseded'], ['started@0', 'superseded'], ['finished', 'sent']]);
    expect(t.outbox.forBuild(t.ids[0]!)[0]!.last_error).toContain('502');
    expect(t.outbox.nextDueAt()).toBeUndefined();
  });

  it('a rate limit pauses every line until GitHub\'s reset', async () => {
    const t = setUp();
    const sender = createStatusSender({ outbox: t.outbox, github: t.github, logger: silentLogger, now: Date.now, retry: { baseMs: 10, maxMs: 10 } });
    closers.push(() => sender.close(), () => void t.db.close());
    const reset = Date.now() + 400;
    t.script.push(() => {
      throw new GitHubApiError('GitHub createStatus failed: 403 API rate limit exceeded', 403, 'createStatus', new Date(reset));
    });
    t.add(t.ids[0]!, 'queued@0');
    t.add(t.ids[1]!, 'queued@0', { sha: 'b'.repeat(40) });
    t.add(t.ids[2]!, 'queued@0', { sha: 'c'.repeat(40) });
    sender.wake();
    await waitUntil(() => t.calls.length === 4, 'four posts');
    expect(t.calls.slice(1).every((c) => c.at >= reset)).toBe(true);
  });

  it('gives up a transient failure once the row is too old, and keeps trying before that', async () => {
    let clock = Date.now();
    const t = setUp(() => clock);
    let attempts = 0;
    const down: StatusPoster = {
      async createStatus() {
        attempts += 1;
        throw new GitHubApiError('GitHub createStatus failed: 503', 503, 'createStatus');
      },
    };
    const sender = createStatusSender({ outbox: t.outbox, github: down, logger: silentLogger, now: () => clock, retry: { baseMs: 5, maxMs: 5 }, giveUpAfterMs: 1000 });
    // The clock moves only when the test says; rows become due as it does.
    const ticker = setInterval(() => (clock += 5), 5);
    closers.push(() => clearInterval(ticker));
    closers.push(() => sender.close(), () => void t.db.close());
    t.add(t.ids[0]!, 'queued@0');
    sender.wake();
    await waitUntil(() => attempts >= 3, 'a few attempts');
    expect(t.outbox.forBuild(t.ids[0]!)[0]!.state).toBe('pending');
    clock += 2000; // the row is now older than giveUpAfterMs
    await waitUntil(() => t.outbox.forBuild(t.ids[0]!)[0]!.state === 'failed', 'given up');
    const after = attempts;
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(after);
  });

  it('close() lets a post in flight finish and record it, even when a newer row superseded it meanwhile', async () => {
    const t = setUp();
    let release = () => {};
    const slow: StatusPoster = { createStatus: () => new Promise<void>((resolve) => (release = resolve)) };
    const sender = createStatusSender({ outbox: t.outbox, github: slow, logger: silentLogger, now: Date.now });
    closers.push(() => void t.db.close());
    t.add(t.ids[0]!, 'queued@0');
    sender.wake();
    await new Promise((r) => setTimeout(r, 20));
    t.add(t.ids[0]!, 'finished');
    expect(t.outbox.forBuild(t.ids[0]!).map((r) => r.state)).toEqual(['superseded', 'pending']);
    const closing = sender.close();
    release();
    await closing;
    // The one in flight reached GitHub and is recorded so; the next one was not started, and is still pending for the next start.
    expect(t.outbox.forBuild(t.ids[0]!).map((r) => r.state)).toEqual(['sent', 'pending']);
  });
});
