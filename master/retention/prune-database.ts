// Retention in the database: finished builds older than the cutoff go, with their steps, artifacts
// rows, outbox rows and requests; then the changes and deliveries nothing refers to any more, and
// notifications sent or given up before the cutoff. The newest build of each builder is kept
// whatever its age, so build numbers never start again at 1 (a folder name on the logs branch must
// not be reused).
import type { Stores } from '../store/stores.js';

export interface DatabasePruneResult {
  /** Ids of the builds removed (their files on disk go too). */
  buildIds: number[];
  changes: number;
  deliveries: number;
}

export function pruneDatabase(stores: Stores, cutoff: number): DatabasePruneResult {
  const old = stores.builds.prunable(cutoff);
  let changes = 0;
  let deliveries = 0;
  stores.transaction(() => {
    stores.artifacts.deleteForBuilds(old);
    stores.steps.deleteForBuilds(old);
    // status_outbox and logs_publications rows go with their build (ON DELETE CASCADE).
    stores.builds.deleteIds(old);
    stores.requests.deleteOrphans();
    changes = stores.changes.deleteUnusedBefore(cutoff);
    deliveries = stores.deliveries.deleteUnusedBefore(cutoff);
    stores.statuses.deleteSettledBefore(cutoff);
    stores.notifications.deleteSettledBefore(cutoff);
  });
  return { buildIds: old, changes, deliveries };
}
