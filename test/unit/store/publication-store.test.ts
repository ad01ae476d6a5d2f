import { afterEach, describe, expect, it } from 'vitest';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('publication store (what the logs branch owes)', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('asks for a placeholder, then the folder; a finished build never goes back to its placeholder', () => {
    t = openStoreDb();
    const { builds, publications } = t.stores;
    const b = builds.create(newBuild('unit')).id;
    publications.want(b, 'started');
    expect(publications.get(b)).toMatchObject({ wanted: 'started', published: null, attempts: 0, next_attempt_at: 1_000_000 });
    publications.markPublished(b, 'started');
    expect(publications.due()).toEqual([]);
    t.clock.now = 2_000_000;
    publications.want(b, 'finished');
    publications.want(b, 'started');
    expect(publications.get(b)).toMatchObject({ wanted: 'finished', published: 'started', next_attempt_at: 2_000_000 });
  });

  it('offers due rows in build order, waits out a retry, and forgets the error once published', () => {
    t = openStoreDb();
    const { builds, publications } = t.stores;
    const [a, b] = [builds.create(newBuild('unit')).id, builds.create(newBuild('unit')).id];
    publications.want(b, 'finished');
    publications.want(a, 'finished');
    expect(publications.due().map((r) => r.build_id)).toEqual([a, b]);
    publications.markRetry([a, b], 1_000_300, 'push refused');
    expect(publications.due()).toEqual([]);
    expect(publications.nextDueAt()).toBe(1_000_300);
    expect(publications.get(a)).toMatchObject({ attempts: 1, last_error: 'push refused' });
    t.clock.now = 1_000_300;
    expect(publications.due(1).map((r) => r.build_id)).toEqual([a]);
    publications.markPublished(a, 'finished');
    expect(publications.get(a)).toMatchObject({ published: 'finished', attempts: 0, last_error: null, updated_at: 1_000_300 });
    publications.markPublished(b, 'finished');
    expect(publications.nextDueAt()).toBeUndefined();
  });

  it('a sweep adds rows for builds that ran since a time and have none', () => {
    t = openStoreDb();
    const { builds, publications } = t.stores;
    const never = builds.create(newBuild('unit'));
    const running = builds.create(newBuild('unit'));
    builds.claim(running.request_id, running.id, 'w1');
    const oldDone = builds.create(newBuild('unit'));
    builds.claim(oldDone.request_id, oldDone.id, 'w1');
    builds.finish(oldDone.id, 'success', null);
    t.clock.now = 5_000_000;
    const done = builds.create(newBuild('unit'));
    builds.claim(done.request_id, done.id, 'w1');
    builds.finish(done.id, 'success', null);
    expect(publications.sweep(4_000_000)).toBe(2);
    expect(publications.get(never.id)).toBeUndefined();
    expect(publications.get(oldDone.id)).toBeUndefined();
    expect(publications.get(running.id)?.wanted).toBe('started');
    expect(publications.get(done.id)?.wanted).toBe('finished');
    expect(publications.sweep(4_000_000)).toBe(0);
  });
});
