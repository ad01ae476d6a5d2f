import { afterEach, describe, expect, it } from 'vitest';
import { newBuild, openStoreDb, pushChange, type StoreDb } from '../../support/store-db.js';

describe('change store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('keeps changes pending, in arrival order, until processed', () => {
    t = openStoreDb();
    const { changes, deliveries } = t.stores;
    deliveries.insert({ id: 'd1', event: 'push', action: null, repo: 'o/r', pr: null, sha: null, outcome: 'pending', detail: null, received_at: 1 });
    const a = changes.insert('d1', pushChange({ sha: '1'.repeat(40) }));
    const b = changes.insert(null, pushChange({ kind: 'comment', sha: '2'.repeat(40), comment: { body: 'ok', author: 'carol', association: 'MEMBER' } }));
    expect(changes.pending().map((c) => [c.id, c.deliveryId, c.change.sha])).toEqual([[a, 'd1', '1'.repeat(40)], [b, null, '2'.repeat(40)]]);
    changes.markProcessed(a);
    expect(changes.pending().map((c) => c.id)).toEqual([b]);
    // The comment's author stands in for a change that has none of its own.
    expect(changes.list({ order: 'id' }).rows.map((r) => [r.id, r.author, r.state])).toEqual([[a, null, 'processed'], [b, 'carol', 'pending']]);
  });

  it('names the base branch of the newest change of a PR that has one', () => {
    t = openStoreDb();
    const { changes } = t.stores;
    changes.insert(null, pushChange({ kind: 'pull_request', pr: 4, baseRef: 'main' }));
    changes.insert(null, pushChange({ kind: 'pull_request', pr: 4, baseRef: 'release' }));
    changes.insert(null, pushChange({ kind: 'rebuild', pr: 4, baseRef: null }));
    expect(changes.newestBaseRef('o/r', 4)).toBe('release');
    expect(changes.newestBaseRef('o/r', 5)).toBeUndefined();
  });

  it('counts pending changes of a PR head, or of no head, the repository in any case', () => {
    t = openStoreDb();
    const { changes } = t.stores;
    changes.insert(null, pushChange({ repo: 'O/R', pr: 4, sha: 'a'.repeat(40) }));
    changes.insert(null, pushChange({ pr: 4, sha: null }));
    changes.markProcessed(changes.insert(null, pushChange({ pr: 4, sha: 'a'.repeat(40) })));
    changes.insert(null, pushChange({ pr: 4, sha: 'b'.repeat(40) }));
    expect(changes.pendingForHead('o/r', 4, 'a'.repeat(40))).toBe(2);
    expect(changes.pendingForHead('o/r', 5, 'a'.repeat(40))).toBe(0);
  });

  it('deletes processed changes before the cutoff that no request refers to', () => {
    t = openStoreDb();
    const { changes, builds } = t.stores;
    const used = changes.insert(null, pushChange());
    builds.create(newBuild('unit', { changeId: used }));
    const unused = changes.insert(null, pushChange());
    const pending = changes.insert(null, pushChange());
    [used, unused].forEach((id) => changes.markProcessed(id));
    t.clock.now += 1_000;
    const late = changes.insert(null, pushChange());
    changes.markProcessed(late);
    expect(changes.deleteUnusedBefore(t.clock.now)).toBe(1);
    expect(changes.list({ order: 'id' }).rows.map((r) => r.id)).toEqual([used, pending, late]);
  });

  it('lists with filters, newest first by default', () => {
    t = openStoreDb();
    const { changes } = t.stores;
    const a = changes.insert(null, pushChange({ kind: 'pull_request', pr: 1 }));
    const b = changes.insert(null, pushChange());
    expect(changes.list({}).rows.map((r) => r.id)).toEqual([b, a]);
    expect(changes.list({ kind: 'pull_request' })).toMatchObject({ total: 1, rows: [{ id: a, pr: 1 }] });
  });
});
