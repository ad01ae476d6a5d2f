import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../../master/store/open-database.js';
import { createStores, type Stores } from '../../../master/store/stores.js';
import { pruneDatabase } from '../../../master/retention/prune-database.js';
import { pruneLocalFiles } from '../../../master/retention/prune-local-files.js';
import { planRetention } from '../../../master/retention/plan-retention.js';
import { classifyFolders } from '../../../master/retention/prune-logs-branch.js';
import { makeTempDir } from '../../support/temp-dir.js';

const DAY = 86_400_000;

describe('retention in the database and on disk', () => {
  let db: Db;
  let stores: Stores;
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => {
    db?.close();
    for (const d of dirs.splice(0)) d.remove();
  });

  function seed() {
    db = openDatabase(':memory:');
    let clock = Date.now() - 100 * DAY;
    stores = createStores(db, () => clock);
    const { builds, changes } = stores;
    const make = (builder: string, ageDays: number) => {
      clock = Date.now() - ageDays * DAY;
      const changeId = changes.insert(null, { kind: 'push', event: 'push', action: null, repo: 'o/r', cloneUrl: '', pr: null, sha: 'a'.repeat(40), ref: 'refs/heads/main', baseRef: 'main', headRepo: null, author: null, authorAssociation: null, title: null, draft: false, labels: [], label: null, headCommitMessage: null, changedFiles: null, comment: null });
      changes.markProcessed(changeId);
      const b = builds.create({ changeId, builder, reason: 'test', repo: 'o/r', pr: null, sha: 'a'.repeat(40), ref: null, cloneUrl: null, initial: { state: 'queued' } });
      builds.finish(b.id, 'success', null);
      db.prepare(`INSERT INTO steps (build_id, step, name, state) VALUES (?, '0', 'test', 'finished')`).run(b.id);
      stores.notifications.add({ channel: 'email', topic: `builder:${builder}`, dedupeKey: `build:${b.id}`, notice: '{}' });
      stores.notifications.markSent(stores.notifications.pendingOf('email', `builder:${builder}`).map((r) => r.id));
      db.prepare(`INSERT INTO status_outbox (build_id, transition, repo, sha, context, github_state, description, state, next_attempt_at, created_at) VALUES (?, 'finished', 'o/r', 'a', 'c', 'success', 'd', 'sent', 0, ?)`).run(b.id, clock);
      return b.id;
    };
    return { old1: make('unit', 50), old2: make('unit', 40), recent: make('unit', 1), lintOld: make('lint', 60), queued: (() => {
      clock = Date.now() - 70 * DAY;
      return builds.create({ changeId: null, builder: 'unit', reason: 'x', repo: 'o/r', pr: null, sha: null, ref: null, cloneUrl: null, initial: { state: 'queued' } }).id;
    })() };
  }

  /** Age retention alone, as with logs.keepDays and no size budget (no files: the data dir is empty). */
  function pruneByAge(cutoff: number) {
    const empty = makeTempDir();
    dirs.push(empty);
    const plan = planRetention(stores, empty.path, { cutoff, keepBytes: null, builders: [] });
    return pruneDatabase(stores, plan.builds.map((b) => b.buildId), cutoff);
  }

  it('drops finished builds past the cutoff with their rows; keeps each builder\'s newest and unfinished ones', () => {
    const ids = seed();
    const result = pruneByAge(Date.now() - 30 * DAY);
    expect(result.buildIds).toEqual([ids.old1, ids.old2]);
    const left = db.prepare<[], { id: number }>('SELECT id FROM builds ORDER BY id').all().map((r) => r.id);
    expect(left).toEqual([ids.recent, ids.lintOld, ids.queued]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM steps').get()).toEqual({ n: 2 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM status_outbox').get()).toEqual({ n: 1 }); // lint's newest (old) row goes by age, recent's stays
    expect(result.changes).toBe(2);
    expect(stores.notifications.all().map((r) => r.dedupe_key)).toEqual([`build:${ids.recent}`]); // sent ones go by age, whatever their build
    expect(db.prepare('SELECT COUNT(*) AS n FROM build_requests').get()).toEqual({ n: 3 });
  });

  it('removes the log and artifact directories of builds that are gone, and nothing newer', () => {
    const ids = seed();
    const dir = makeTempDir();
    dirs.push(dir);
    for (const id of [...Object.values(ids), 999]) {
      for (const kind of ['logs', 'artifacts']) {
        mkdirSync(path.join(dir.path, kind, String(id)), { recursive: true });
        writeFileSync(path.join(dir.path, kind, String(id), 'x'), 'x');
      }
    }
    pruneByAge(Date.now() - 30 * DAY);
    expect(pruneLocalFiles(stores.builds, dir.path).removed).toBe(4);
    for (const id of [ids.old1, ids.old2]) expect(existsSync(path.join(dir.path, 'logs', String(id)))).toBe(false);
    for (const id of [ids.recent, ids.lintOld, 999]) expect(existsSync(path.join(dir.path, 'artifacts', String(id)))).toBe(true);
  });

  it('sorts branch folders by the dates in their build.json; folders without one are kept', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const folder = (rel: string, facts?: object) => {
      mkdirSync(path.join(dir.path, rel), { recursive: true });
      if (facts) writeFileSync(path.join(dir.path, rel, 'build.json'), JSON.stringify(facts));
    };
    const now = Date.now();
    folder('unit/1-aaaaaaa-1', { finishedAt: now - 40 * DAY });
    folder('unit/2-bbbbbbb-2', { finishedAt: now - DAY });
    folder('unit/3-ccccccc-3', { startedAt: now - 50 * DAY, finishedAt: null });
    folder('lint/4-ddddddd-1');
    mkdirSync(path.join(dir.path, '.git'));
    const result = classifyFolders(dir.path, now - 30 * DAY);
    expect(result.drop.sort()).toEqual(['unit/1-aaaaaaa-1', 'unit/3-ccccccc-3']);
    expect(result.keep.sort()).toEqual(['lint/4-ddddddd-1', 'unit/2-bbbbbbb-2']);
    expect(result.unknown).toEqual(['lint/4-ddddddd-1']);
  });

  it('with a size budget, drops the oldest finished folders kept until the rest fit; running and unknown ones stay', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const now = Date.now();
    const folder = (rel: string, facts: object | null, logBytes: number) => {
      mkdirSync(path.join(dir.path, rel), { recursive: true });
      const factsText = facts ? JSON.stringify(facts).padEnd(100) : '';
      if (facts) writeFileSync(path.join(dir.path, rel, 'build.json'), factsText);
      writeFileSync(path.join(dir.path, rel, '00-test.log'), 'x'.repeat(logBytes - factsText.length));
    };
    folder('unit/1-aaaaaaa-1', { finishedAt: now - 5 * DAY }, 1000);
    folder('unit/2-bbbbbbb-2', { startedAt: now - 6 * DAY, finishedAt: null }, 1000); // still running
    folder('lint/3-ccccccc-1', { finishedAt: now - 4 * DAY }, 1000);
    folder('lint/4-ddddddd-2', { finishedAt: now - 3 * DAY }, 1000);
    folder('docs/5-eeeeeee-1', null, 1000);
    // 5000 bytes, 2500 allowed: the finished ones go oldest first (1, 3, 4); the running and the unknown one stay.
    const result = classifyFolders(dir.path, now - 30 * DAY, 2500);
    expect(result.drop).toEqual(['unit/1-aaaaaaa-1', 'lint/3-ccccccc-1', 'lint/4-ddddddd-2']);
    expect(result.keep.sort()).toEqual(['docs/5-eeeeeee-1', 'unit/2-bbbbbbb-2']);
    // 3500 allowed: two go.
    expect(classifyFolders(dir.path, now - 30 * DAY, 3500).drop).toEqual(['unit/1-aaaaaaa-1', 'lint/3-ccccccc-1']);
    expect(classifyFolders(dir.path, now - 30 * DAY).drop).toEqual([]);
  });
});
