// Retention in the database: finished builds older than the cutoff go, with their steps, artifacts
// rows, outbox rows and requests; then the changes and deliveries nothing refers to any more. The
// newest build of each builder is kept whatever its age, so build numbers never start again at 1
// (a folder name on the logs branch must not be reused).
import type { Db } from '../queue/open-database.js';

export interface DatabasePruneResult {
  /** Ids of the builds removed (their files on disk go too). */
  buildIds: number[];
  changes: number;
  deliveries: number;
}

export function pruneDatabase(db: Db, cutoff: number): DatabasePruneResult {
  const old = db
    .prepare<[number], { id: number }>(
      `SELECT id FROM builds WHERE state = 'finished' AND COALESCE(finished_at, created_at) < ?
       AND id NOT IN (SELECT MAX(id) FROM builds GROUP BY builder) ORDER BY id`,
    )
    .all(cutoff)
    .map((r) => r.id);
  let changes = 0;
  let deliveries = 0;
  db.transaction(() => {
    const ids = JSON.stringify(old);
    const inIds = 'IN (SELECT value FROM json_each(?))';
    db.prepare(`DELETE FROM artifacts WHERE build_id ${inIds}`).run(ids);
    db.prepare(`DELETE FROM steps WHERE build_id ${inIds}`).run(ids);
    // status_outbox and logs_publications rows go with their build (ON DELETE CASCADE).
    db.prepare(`DELETE FROM builds WHERE id ${inIds}`).run(ids);
    db.prepare(`DELETE FROM build_requests WHERE state = 'complete' AND id NOT IN (SELECT request_id FROM builds)`).run();
    changes = db
      .prepare(`DELETE FROM changes WHERE state = 'processed' AND created_at < ? AND id NOT IN (SELECT change_id FROM build_requests WHERE change_id IS NOT NULL)`)
      .run(cutoff).changes;
    deliveries = db
      .prepare(`DELETE FROM deliveries WHERE received_at < ? AND id NOT IN (SELECT delivery_id FROM changes WHERE delivery_id IS NOT NULL)`)
      .run(cutoff).changes;
    db.prepare(`DELETE FROM status_outbox WHERE state != 'pending' AND created_at < ?`).run(cutoff);
  })();
  return { buildIds: old, changes, deliveries };
}
