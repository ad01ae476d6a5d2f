import { afterEach, describe, expect, it } from 'vitest';
import { openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('schedule run store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('keeps the newest slot handled per builder, replacing the one before', () => {
    t = openStoreDb();
    const runs = t.stores.scheduleRuns;
    expect(runs.get('nightly')).toBeUndefined();
    runs.record('nightly', 1_000, null, null);
    t.clock.now = 2_000_000;
    runs.record('nightly', 86_401_000, 'a'.repeat(40), 7);
    runs.record('weekly', 5_000, null, null);
    expect(runs.get('nightly')).toEqual({ builder: 'nightly', slot_at: 86_401_000, sha: 'a'.repeat(40), change_id: 7, updated_at: 2_000_000 });
    expect(runs.get('weekly')).toMatchObject({ slot_at: 5_000, sha: null, change_id: null });
  });
});
