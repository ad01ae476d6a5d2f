import { afterEach, describe, expect, it } from 'vitest';
import type { NewStatus } from '../../../master/store/status-store.js';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('status store (the commit status outbox)', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  function seed() {
    t = openStoreDb();
    const [b1, b2] = [t.stores.builds.create(newBuild('unit')).id, t.stores.builds.create(newBuild('unit')).id];
    const status = (buildId: number, transition: string, over: Partial<NewStatus> = {}): NewStatus => ({
      buildId, transition, repo: 'o/r', sha: 'a'.repeat(40), context: 'ci/unit', state: 'pending', description: transition, targetUrl: undefined, ...over,
    });
    return { b1: b1!, b2: b2!, status, statuses: t.stores.statuses };
  }

  it('queues a transition of a build once', () => {
    const { b1, status, statuses } = seed();
    expect(statuses.add(status(b1, 'queued@0', { targetUrl: 'https://ci/1' }))).toBe(true);
    expect(statuses.add(status(b1, 'queued@0'))).toBe(false);
    expect(statuses.has(b1, 'queued@0')).toBe(true);
    expect(statuses.has(b1, 'finished')).toBe(false);
    expect(statuses.forBuild(b1)).toMatchObject([{ transition: 'queued@0', github_state: 'pending', target_url: 'https://ci/1', state: 'pending', attempts: 0, next_attempt_at: 1_000_000 }]);
  });

  it('a newer state of the same commit and context supersedes the older one; a later build\'s wins over a late event of an earlier one', () => {
    const { b1, b2, status, statuses } = seed();
    statuses.add(status(b1, 'queued@0'));
    statuses.add(status(b2, 'queued@0'));
    statuses.add(status(b1, 'finished', { state: 'success' }));
    statuses.add(status(b2, 'started@1', { context: 'ci/lint' }));
    expect(statuses.forBuild(b1).map((r) => r.state)).toEqual(['superseded', 'superseded']);
    expect(statuses.forBuild(b2).map((r) => [r.context, r.state])).toEqual([['ci/unit', 'pending'], ['ci/lint', 'pending']]);
    expect(statuses.supersede()).toBe(0);
  });

  it('a burst of 200 builds, each queued, started and finished before any post went out, leaves one final status per build', () => {
    const { status, statuses } = seed();
    const ids = Array.from({ length: 200 }, () => t.stores.builds.create(newBuild('unit')).id);
    for (const [i, id] of ids.entries()) {
      const sha = i.toString(16).padStart(40, '0');
      statuses.add(status(id, 'queued@0', { sha }));
      statuses.add(status(id, 'started@0', { sha }));
      statuses.add(status(id, 'finished', { sha, state: 'success' }));
    }
    const due = statuses.due(1000);
    expect(due).toHaveLength(200);
    expect(new Set(due.map((r) => r.transition))).toEqual(new Set(['finished']));
  });

  it('offers the due rows newest build first, and moves them through retry, sent and failed', () => {
    const { b1, b2, status, statuses } = seed();
    statuses.add(status(b1, 'queued@0', { sha: '1'.repeat(40) }));
    statuses.add(status(b2, 'queued@0', { sha: '2'.repeat(40) }));
    const [newest, oldest] = statuses.due();
    expect([newest?.build_id, oldest?.build_id]).toEqual([b2, b1]);
    expect(statuses.nextDueAt()).toBe(1_000_000);

    statuses.markRetry(newest!.id, 1_000_500, 'GitHub said 502');
    expect(statuses.due().map((r) => r.build_id)).toEqual([b1]);
    expect(statuses.nextDueAt()).toBe(1_000_000);
    statuses.markSent(oldest!.id);
    expect(statuses.isPending(oldest!.id)).toBe(false);
    expect(statuses.nextDueAt()).toBe(1_000_500);
    t.clock.now = 1_000_500;
    expect(statuses.due().map((r) => [r.build_id, r.attempts, r.last_error])).toEqual([[b2, 1, 'GitHub said 502']]);
    statuses.markFailed(newest!.id, 'GitHub said 422');
    expect(statuses.forBuild(b2)).toMatchObject([{ state: 'failed', attempts: 2, last_error: 'GitHub said 422' }]);
    expect(statuses.nextDueAt()).toBeUndefined();
  });

  it('a row superseded while in flight is recorded as sent, and a failure never brings it back', () => {
    const { b1, status, statuses } = seed();
    statuses.add(status(b1, 'queued@0'));
    const [inFlight] = statuses.due();
    statuses.add(status(b1, 'started@1'));
    expect(statuses.isPending(inFlight!.id)).toBe(false);
    statuses.markFailed(inFlight!.id, 'timeout');
    expect(statuses.forBuild(b1)[0]).toMatchObject({ state: 'superseded', last_error: 'timeout' });
    statuses.markSent(inFlight!.id);
    expect(statuses.forBuild(b1)[0]).toMatchObject({ state: 'sent', sent_at: 1_000_000 });
  });

  it('deletes settled rows before the cutoff, never pending ones', () => {
    const { b1, b2, status, statuses } = seed();
    statuses.add(status(b1, 'queued@0', { sha: '1'.repeat(40) }));
    statuses.add(status(b2, 'queued@0', { sha: '2'.repeat(40) }));
    statuses.markSent(statuses.forBuild(b1)[0]!.id);
    statuses.deleteSettledBefore(2_000_000);
    expect(statuses.forBuild(b1)).toEqual([]);
    expect(statuses.forBuild(b2)).toHaveLength(1);
  });
});
