import { afterEach, describe, expect, it } from 'vitest';
import { newBuild, openStoreDb, pushChange, type StoreDb } from '../../support/store-db.js';

describe('stores over one database', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('a transaction across stores is all or nothing', () => {
    t = openStoreDb();
    const { builds, changes } = t.stores;
    expect(() =>
      t.stores.transaction(() => {
        changes.insert(null, pushChange());
        builds.create(newBuild('unit'));
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(changes.pending()).toEqual([]);
    expect(builds.ids()).toEqual([]);
    const id = t.stores.transaction(() => changes.insert(null, pushChange()));
    expect(changes.pending().map((c) => c.id)).toEqual([id]);
  });
});
