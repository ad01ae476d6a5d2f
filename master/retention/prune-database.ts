// Retention in the database: the builds of the plan go, with their steps, artifacts rows, outbox
// rows and requests; then, past the age cutoff, the changes and deliveries nothing refers to any
// more, and notifications sent or given up. Which builds may go is plan-retention.ts's concern.
import type { Stores } from '../store/stores.js';

export interface DatabasePruneResult {
  /** Ids of the builds removed (their files on disk go too). */
  buildIds: number[];
  changes: number;
  deliveries: number;
}

export function pruneDatabase(stores: Stores, buildIds: number[], cutoff: number | null): DatabasePruneResult {
  let changes = 0;
  let deliveries = 0;
  stores.transaction(() => {
    stores.artifacts.deleteForBuilds(buildIds);
    stores.steps.deleteForBuilds(buildIds);
    // status_outbox and logs_publications rows go with their build (ON DELETE CASCADE).
    stores.builds.deleteIds(buildIds);
    stores.requests.deleteOrphans();
    if (cutoff === null) return;
    changes = stores.changes.deleteUnusedBefore(cutoff);
    deliveries = stores.deliveries.deleteUnusedBefore(cutoff);
    stores.statuses.deleteSettledBefore(cutoff);
    stores.notifications.deleteSettledBefore(cutoff);
  });
  return { buildIds, changes, deliveries };
}
