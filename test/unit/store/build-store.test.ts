import { afterEach, describe, expect, it } from 'vitest';
import { BadQueryError } from '../../../master/store/list-rows.js';
import { newBuild, openStoreDb, pushChange, type StoreDb } from '../../support/store-db.js';

describe('build store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('numbers builds per builder and creates each with its request; a skipped one is finished at once', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const a1 = t.stores.transaction(() => builds.create(newBuild('unit')));
    const b1 = t.stores.transaction(() => builds.create(newBuild('lint', { initial: { state: 'awaiting-approval' } })));
    t.clock.now += 5;
    const a2 = t.stores.transaction(() => builds.create(newBuild('unit', { initial: { state: 'skipped', why: 'draft pull request' } })));
    expect([a1.number, b1.number, a2.number]).toEqual([1, 1, 2]);
    expect(a1).toMatchObject({ state: 'queued', result: null, created_at: 1_000_000, finished_at: null });
    expect(requests.get(a1.request_id)).toMatchObject({ state: 'queued', builder: 'unit', attempts: 0 });
    expect(requests.get(b1.request_id)?.state).toBe('awaiting-approval');
    expect(a2).toMatchObject({ state: 'finished', result: 'skipped', result_reason: 'draft pull request', finished_at: 1_000_005 });
    expect(requests.get(a2.request_id)?.state).toBe('complete');
    expect(builds.get(a1.id)).toEqual(a1);
    expect(builds.get(999)).toBeUndefined();
  });

  it('claims a queued build once, with its steps pending; finishing is idempotent and completes the request', () => {
    t = openStoreDb();
    const { builds, requests, steps } = t.stores;
    const b = builds.create(newBuild('unit'));
    t.clock.now = 2_000_000;
    expect(builds.claim(b.request_id, b.id, 'w1', [{ id: '0', name: 'checkout' }, { id: '1', name: 'test' }])).toBe(true);
    expect(builds.claim(b.request_id, b.id, 'w2')).toBe(false);
    expect(builds.get(b.id)).toMatchObject({ state: 'running', worker: 'w1', started_at: 2_000_000 });
    expect(requests.get(b.request_id)).toMatchObject({ state: 'claimed', worker: 'w1', attempts: 1, claimed_at: 2_000_000 });
    expect(steps.ofBuild(b.id).map((s) => [s.step, s.name, s.state])).toEqual([['0', 'checkout', 'pending'], ['1', 'test', 'pending']]);
    expect(builds.runningOn('w1').map((r) => r.id)).toEqual([b.id]);
    expect(builds.runningCount('unit')).toBe(1);
    expect(builds.running()).toEqual([{ worker: 'w1', id: b.id }]);
    expect(builds.runningIds()).toEqual([b.id]);

    t.clock.now = 3_000_000;
    expect(builds.finish(b.id, 'failure', 'tests failed')).toBe(true);
    expect(builds.finish(b.id, 'success', null)).toBe(false);
    expect(builds.get(b.id)).toMatchObject({ state: 'finished', result: 'failure', result_reason: 'tests failed', finished_at: 3_000_000 });
    expect(requests.get(b.request_id)?.state).toBe('complete');
    expect(builds.runningOn('w1')).toEqual([]);
    expect(builds.finish(999, 'error', null)).toBe(false);
  });

  it('a claim that fails half-way leaves the request queued and the build untouched', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const b = builds.create(newBuild('unit'));
    // The request is claimed first; the step of a build that does not exist then breaks the foreign key.
    expect(() => builds.claim(b.request_id, 999, 'w1', [{ id: '0', name: 'x' }])).toThrow();
    expect(requests.get(b.request_id)?.state).toBe('queued');
    expect(builds.get(b.id)?.state).toBe('queued');
  });

  it('requeues a build with its request, and records a cancel request', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const b = builds.create(newBuild('unit'));
    builds.claim(b.request_id, b.id, 'w1');
    builds.requeue(builds.get(b.id)!);
    expect(builds.get(b.id)).toMatchObject({ state: 'queued', worker: null, started_at: null });
    expect(requests.get(b.request_id)).toMatchObject({ state: 'queued', worker: null, claimed_at: null, attempts: 1 });
    builds.requestCancel(b.id, 'cancelled through the API');
    expect(builds.get(b.id)?.cancel_requested).toBe('cancelled through the API');
  });

  it('finds the open builds of a pull request, a pushed head, and builds awaiting approval', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const unit = builds.create(newBuild('unit', { pr: 7 }));
    const lint = builds.create(newBuild('lint', { pr: 7, initial: { state: 'awaiting-approval' } }));
    const done = builds.create(newBuild('unit', { pr: 7 }));
    builds.finish(done.id, 'success', null);
    builds.create(newBuild('unit', { pr: 8 }));
    expect(builds.openForPr('o/r', 7, 'unit').map((b) => b.id)).toEqual([unit.id]);
    expect(builds.openForPull('o/r', 7).map((b) => b.id)).toEqual([unit.id, lint.id]);
    expect(builds.awaitingApproval('o/r', 7).map((b) => b.id)).toEqual([lint.id]);
    expect(requests.approve(lint.request_id)).toBe(true);
    expect(builds.awaitingApproval('o/r', 7)).toEqual([]);

    const push = builds.create(newBuild('unit', { ref: 'refs/heads/main', sha: 'b'.repeat(40) }));
    expect(builds.forPush('o/r', 'refs/heads/main', 'b'.repeat(40), 'unit')?.id).toBe(push.id);
    builds.finish(push.id, 'cancelled', 'superseded');
    expect(builds.forPush('o/r', 'refs/heads/main', 'b'.repeat(40), 'unit')).toBeUndefined();
  });

  it('counts open builds per builder and state, also by whether their request awaits approval', () => {
    t = openStoreDb();
    const { builds } = t.stores;
    builds.create(newBuild('unit'));
    builds.create(newBuild('unit', { initial: { state: 'awaiting-approval' } }));
    const running = builds.create(newBuild('unit'));
    builds.claim(running.request_id, running.id, 'w1');
    builds.create(newBuild('lint', { initial: { state: 'skipped', why: 'x' } }));
    const byKey = <T extends { builder: string; state: string; n: number }>(rows: T[], key: (r: T) => string) =>
      Object.fromEntries(rows.map((r) => [key(r), r.n]));
    expect(byKey(builds.openCounts(), (r) => `${r.builder}/${r.state}`)).toEqual({ 'unit/queued': 2, 'unit/running': 1 });
    expect(byKey(builds.openCountsByRequest(), (r) => `${r.builder}/${r.state}/${r.request}`)).toEqual({
      'unit/queued/queued': 1, 'unit/queued/awaiting-approval': 1, 'unit/running/claimed': 1,
    });
  });

  it('looks up the newest builds of a builder, of a PR, with a commit, and the one a change became', () => {
    t = openStoreDb();
    const { builds, changes } = t.stores;
    const changeId = changes.insert(null, pushChange());
    const first = builds.create(newBuild('unit', { changeId, pr: 3 }));
    const second = builds.create(newBuild('unit', { pr: 4 }));
    const noSha = builds.create(newBuild('unit', { sha: null }));
    builds.create(newBuild('lint'));
    expect(builds.recentOf('unit', 2).map((b) => b.id)).toEqual([noSha.id, second.id]);
    expect(builds.latestWithSha('unit')?.id).toBe(second.id);
    expect(builds.latestForPr('unit', 3)?.id).toBe(first.id);
    expect(builds.latestForPr('unit', 99)).toBeUndefined();
    expect(builds.fromChange(changeId)?.id).toBe(first.id);
    expect(builds.ids()).toHaveLength(4);
  });

  it('records the image a build booted', () => {
    t = openStoreDb();
    const { builds } = t.stores;
    const b = builds.create(newBuild('unit'));
    builds.setImage(b.id, 'debian', 'debian-20260101', 42);
    expect(builds.get(b.id)).toMatchObject({ image: 'debian', image_version: 'debian-20260101', image_used_at: 42 });
  });

  it('finds builds open or finished recently, what a PR head came to, and the newest success of a commit', () => {
    t = openStoreDb();
    const { builds } = t.stores;
    const sha = 'c'.repeat(40);
    const old = builds.create(newBuild('unit', { pr: 5, sha, repo: 'O/R' }));
    builds.finish(old.id, 'success', null);
    t.clock.now = 5_000_000;
    const recent = builds.create(newBuild('unit', { pr: 5, sha }));
    builds.finish(recent.id, 'success', null);
    const open = builds.create(newBuild('unit', { pr: 5, sha }));
    builds.create(newBuild('unit', { sha: null }));
    expect(builds.openOrFinishedSince(4_000_000).map((b) => b.id)).toEqual([recent.id, open.id]);
    expect(builds.resultsForHead('o/r', 5, 'unit', sha)).toEqual([
      { result: 'success', result_reason: null }, { result: 'success', result_reason: null }, { result: null, result_reason: null },
    ]);
    expect(builds.newestSuccess('o/r', sha, 'unit')).toBe(recent.id);
    expect(builds.newestSuccess('o/r', sha, 'lint')).toBeUndefined();
  });

  it('offers finished builds for pruning oldest first, never a builder\'s newest nor an open one, and deletes them', () => {
    t = openStoreDb();
    const { builds } = t.stores;
    const made = ['unit', 'unit', 'lint', 'unit'].map((builder) => {
      const b = builds.create(newBuild(builder));
      builds.finish(b.id, 'success', null);
      return b.id;
    });
    const open = builds.create(newBuild('docs'));
    t.clock.now = 9_000_000;
    const fresh = builds.create(newBuild('lint'));
    builds.finish(fresh.id, 'success', null);
    expect(builds.finishedOldestFirst().map((b) => b.id)).toEqual([made[0], made[1], made[2]]);
    expect(builds.unfinishedHeads().map((b) => b.id)).toEqual([open.id]);
    builds.deleteIds([made[0]!, made[1]!]);
    expect(builds.ids()).toEqual([made[2], made[3], open.id, fresh.id]);
  });

  it('lists with filters (null for IS NULL), order and paging, and refuses an order it does not allow', () => {
    t = openStoreDb();
    const { builds } = t.stores;
    const ids = [1, 2, 3].map((pr) => builds.create(newBuild('unit', { pr })).id);
    const push = builds.create(newBuild('lint'));
    expect(builds.list({}).rows.map((b) => b.id)).toEqual([push.id, ...ids.reverse()]);
    expect(builds.list({ builder: 'unit', order: 'id', limit: 2, offset: 1 })).toMatchObject({ total: 3, rows: [{ pr: 2 }, { pr: 3 }] });
    expect(builds.list({ pr: 'null' }).rows.map((b) => b.id)).toEqual([push.id]);
    expect(() => builds.list({ order: '-reason' })).toThrow(BadQueryError);
  });
});
