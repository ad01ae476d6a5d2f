// A real database file in a temp dir, opened and migrated as the master does, with every store
// over it and a clock the test moves.
import path from 'node:path';
import type { Change } from '../../master/intake/change.js';
import { openDatabase, type Db } from '../../master/store/open-database.js';
import type { NewBuild } from '../../master/store/build-store.js';
import { createStores, type Stores } from '../../master/store/stores.js';
import { makeTempDir } from './temp-dir.js';

export interface StoreDb {
  db: Db;
  file: string;
  stores: Stores;
  clock: { now: number };
  close(): void;
}

export function openStoreDb(): StoreDb {
  const dir = makeTempDir('gatehouse-store-');
  const file = path.join(dir.path, 'gatehouse.sqlite');
  const db = openDatabase(file);
  const clock = { now: 1_000_000 };
  return {
    db,
    file,
    stores: createStores(db, () => clock.now),
    clock,
    close() {
      db.close();
      dir.remove();
    },
  };
}

/** A build of `builder` on o/r, queued unless said otherwise. */
export function newBuild(builder: string, over: Partial<NewBuild> = {}): NewBuild {
  return { changeId: null, builder, reason: 'test', repo: 'o/r', pr: null, sha: 'a'.repeat(40), ref: null, cloneUrl: null, initial: { state: 'queued' }, ...over };
}

/** A push to main of o/r. */
export function pushChange(over: Partial<Change> = {}): Change {
  return {
    kind: 'push', event: 'push', action: null, repo: 'o/r', cloneUrl: '', pr: null, sha: 'a'.repeat(40), ref: 'refs/heads/main',
    baseRef: 'main', headRepo: null, author: null, authorAssociation: null, title: null, draft: false, labels: [], label: null,
    headCommitMessage: null, changedFiles: null, comment: null, ...over,
  };
}
