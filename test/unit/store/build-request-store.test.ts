import { afterEach, describe, expect, it } from 'vitest';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';

const AGING_MS = 10 * 60_000;

describe('build request store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('offers queued requests oldest first with their build, and only those', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const a = builds.create(newBuild('unit'));
    const gated = builds.create(newBuild('unit', { initial: { state: 'awaiting-approval' } }));
    const b = builds.create(newBuild('lint'));
    const claimed = builds.create(newBuild('lint'));
    builds.claim(claimed.request_id, claimed.id, 'w1');
    expect(requests.runnable(AGING_MS).map((r) => [r.id, r.build_id])).toEqual([[a.request_id, a.id], [b.request_id, b.id]]);
    expect(requests.approve(gated.request_id)).toBe(true);
    expect(requests.approve(gated.request_id)).toBe(false);
    expect(requests.approve(a.request_id)).toBe(false);
    expect(requests.runnable(AGING_MS).map((r) => r.build_id)).toEqual([a.id, gated.id, b.id]);
  });

  it('offers higher priorities first and equal ones oldest first', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const low = builds.create(newBuild('unit'));
    const high = builds.create(newBuild('unit', { priority: 5 }));
    const lower = builds.create(newBuild('unit', { priority: -1 }));
    const high2 = builds.create(newBuild('lint', { priority: 5 }));
    expect(requests.get(high.request_id)?.priority).toBe(5);
    expect(requests.runnable(AGING_MS).map((r) => r.build_id)).toEqual([high.id, high2.id, low.id, lower.id]);
  });

  it('ages waiting requests: each aging interval waited adds 1, so an old low one passes newer high ones', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const old = builds.create(newBuild('unit'));
    t.clock.now += 2 * AGING_MS - 1;
    const newer = builds.create(newBuild('unit', { priority: 2 }));
    // Almost two intervals: the old one counts as 1, still below the newer 2.
    expect(requests.runnable(AGING_MS).map((r) => r.build_id)).toEqual([newer.id, old.id]);
    t.clock.now += 1;
    // Two whole intervals: 2 against 2, and the older goes first.
    expect(requests.runnable(AGING_MS).map((r) => r.build_id)).toEqual([old.id, newer.id]);
    t.clock.now += AGING_MS;
    const newest = builds.create(newBuild('unit', { priority: 3 }));
    // The old one (0 + 3) ties the newest (3) and is older; the newer one (2 + 1) too.
    expect(requests.runnable(AGING_MS).map((r) => r.build_id)).toEqual([old.id, newer.id, newest.id]);
  });

  it('records why a request waits, and clears it when claimed', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const b = builds.create(newBuild('unit'));
    requests.setWaiting(b.request_id, 'all matching workers are busy (w1)');
    expect(requests.get(b.request_id)?.waiting).toBe('all matching workers are busy (w1)');
    builds.claim(b.request_id, b.id, 'w1');
    expect(requests.get(b.request_id)?.waiting).toBeNull();
    expect(requests.get(999)).toBeUndefined();
  });

  it('pages through the waiting requests (awaiting approval or queued) with their build\'s number and head', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const made = [
      builds.create(newBuild('unit', { pr: 1 })),
      builds.create(newBuild('unit', { pr: 2, initial: { state: 'awaiting-approval' } })),
      builds.create(newBuild('unit', { pr: 3, initial: { state: 'skipped', why: 'x' } })),
      builds.create(newBuild('unit', { pr: 4 })),
    ];
    expect(requests.waitingCount()).toBe(3);
    expect(requests.waiting(2, 1).map((r) => [r.build_id, r.number, r.pr, r.state])).toEqual([
      [made[1]!.id, 2, 2, 'awaiting-approval'], [made[3]!.id, 4, 4, 'queued'],
    ]);
  });

  it('lists requests with their build, filtered and ordered', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const a = builds.create(newBuild('unit', { pr: 1 }));
    const b = builds.create(newBuild('lint', { pr: 2 }));
    expect(requests.list({}).rows.map((r) => r.build_id)).toEqual([a.id, b.id]);
    expect(requests.list({ order: '-id' }).rows.map((r) => r.build_id)).toEqual([b.id, a.id]);
    expect(requests.list({ builder: 'lint' })).toMatchObject({ total: 1, rows: [{ build_id: b.id, pr: 2, repo: 'o/r', reason: 'test' }] });
  });

  it('deletes complete requests whose build is gone, and only those', () => {
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const gone = builds.create(newBuild('unit'));
    builds.finish(gone.id, 'success', null);
    const kept = builds.create(newBuild('unit'));
    builds.finish(kept.id, 'success', null);
    const queued = builds.create(newBuild('unit'));
    builds.deleteIds([gone.id]);
    requests.deleteOrphans();
    expect(requests.get(gone.request_id)).toBeUndefined();
    expect(requests.get(kept.request_id)?.state).toBe('complete');
    expect(requests.get(queued.request_id)?.state).toBe('queued');
  });
});
