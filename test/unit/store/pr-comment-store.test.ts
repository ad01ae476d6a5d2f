import { afterEach, describe, expect, it } from 'vitest';
import { openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('pull request comment store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('one row per pull request; a new content bumps the version, the same one does not; changes during a post leave it due', () => {
    t = openStoreDb();
    const { prComments } = t.stores;
    expect(prComments.want('o/r', 1, '[a]')).toBe(true);
    expect(prComments.want('o/r', 1, '[a]')).toBe(false);
    const row = prComments.due(5)[0]!;
    expect(row).toMatchObject({ repo: 'o/r', pr: 1, version: 1, sent_version: 0, comment_id: null, created_at: 1_000_000 });
    expect(prComments.want('o/r', 1, '[b]')).toBe(true);
    expect(prComments.want('o/r', 1, '[c]')).toBe(true);
    expect(prComments.isPending(row)).toBe(false);
    prComments.markSent(row);
    expect(prComments.due(5).map((r) => r.version)).toEqual([3]);
    prComments.markSent(prComments.due(1)[0]!);
    expect(prComments.due(5)).toEqual([]);
    expect(prComments.nextDueAt()).toBeUndefined();
  });

  it('backs off and gives up only the version that failed; keeps the comment id and create intent', () => {
    t = openStoreDb();
    const { prComments } = t.stores;
    prComments.want('o/r', 2, '[a]');
    const row = prComments.due(1)[0]!;
    prComments.markRetry(row, 1_000_400, '502');
    expect(prComments.nextDueAt()).toBe(1_000_400);
    prComments.markFailed(row, '404');
    expect(prComments.get('o/r', 2)).toMatchObject({ given_up: 1, attempts: 1, last_error: '404' });
    prComments.want('o/r', 2, '[b]');
    expect(prComments.get('o/r', 2)).toMatchObject({ given_up: 0, version: 2 });
    prComments.markCreateSent('o/r', 2);
    prComments.setCommentId('o/r', 2, 77);
    expect(prComments.get('o/r', 2)).toMatchObject({ create_sent_at: 1_000_000, comment_id: 77 });
  });
});
