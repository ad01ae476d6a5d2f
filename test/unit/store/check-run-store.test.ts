import { afterEach, describe, expect, it } from 'vitest';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('check run store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  const wanted = (buildId: number, transition: string) => ({ buildId, repo: 'o/r', sha: 'a'.repeat(40), name: 'ci/unit', transition });

  it('bumps the version at each new transition only; a send of an older version leaves the newer one due', () => {
    t = openStoreDb();
    const { builds, checkRuns } = t.stores;
    const b = builds.create(newBuild('unit')).id;
    expect(checkRuns.want(wanted(b, 'queued@0'))).toBe(true);
    expect(checkRuns.want(wanted(b, 'queued@0'))).toBe(false);
    const first = checkRuns.due(1)[0]!;
    expect(first).toMatchObject({ build_id: b, version: 1, sent_version: 0, transition: 'queued@0', created_at: 1_000_000 });
    t.clock.now = 1_000_500;
    expect(checkRuns.want(wanted(b, 'started@0'))).toBe(true);
    expect(checkRuns.isPending(first)).toBe(false);
    checkRuns.markSent(first);
    expect(checkRuns.get(b)).toMatchObject({ version: 2, sent_version: 1, queued_at: 1_000_500 });
    const second = checkRuns.due(1)[0]!;
    checkRuns.markSent(second);
    expect(checkRuns.due()).toEqual([]);
    expect(checkRuns.pendingCount()).toBe(0);
    expect(checkRuns.has(b, 'started@0')).toBe(true);
  });

  it('backs off and gives up only the version that failed', () => {
    t = openStoreDb();
    const { builds, checkRuns } = t.stores;
    const b = builds.create(newBuild('unit')).id;
    checkRuns.want(wanted(b, 'queued@0'));
    const row = checkRuns.due(1)[0]!;
    checkRuns.markRetry(row, 1_000_300, '502');
    expect(checkRuns.due()).toEqual([]);
    expect(checkRuns.nextDueAt()).toBe(1_000_300);
    checkRuns.markFailed(row, '422');
    expect(checkRuns.nextDueAt()).toBeUndefined();
    expect(checkRuns.get(b)).toMatchObject({ given_up: 1, attempts: 1, last_error: '422' });
    // A new transition is a new chance.
    checkRuns.want(wanted(b, 'finished'));
    const next = checkRuns.due(1)[0]!;
    expect(next).toMatchObject({ version: 2, given_up: 0, attempts: 0, last_error: null });
    checkRuns.markFailed(row, 'late failure of the old version');
    expect(checkRuns.get(b)).toMatchObject({ given_up: 0, last_error: 'late failure of the old version' });
  });

  it('keeps the GitHub id, the create intent and the annotations sent across a reopen, and goes with its build', () => {
    t = openStoreDb();
    const { builds, checkRuns } = t.stores;
    const b = builds.create(newBuild('unit')).id;
    checkRuns.want(wanted(b, 'finished'));
    checkRuns.markCreateSent(b);
    checkRuns.setGithubId(b, 4711);
    checkRuns.setAnnotationsSent(b, 50);
    expect(checkRuns.get(b)).toMatchObject({ github_id: 4711, create_sent_at: 1_000_000, annotations_sent: 50 });
    t.db.prepare('DELETE FROM builds WHERE id = ?').run(b);
    expect(checkRuns.get(b)).toBeUndefined();
  });
});
