// The deliveries table: every webhook delivery GitHub sent (by its X-GitHub-Delivery id), and what
// came of it.
import type { Db } from './open-database.js';
import { listRows, type ListQuery, type ListResult } from './list-rows.js';

export type DeliveryOutcome = 'pending' | 'queued' | 'skipped' | 'ignored' | 'cancelled' | 'error';

export interface DeliveryRow {
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  pr: number | null;
  sha: string | null;
  outcome: DeliveryOutcome;
  detail: string | null;
  received_at: number;
}

export function createDeliveryStore(db: Db) {
  const insert = db.prepare<DeliveryRow>(
    `INSERT OR IGNORE INTO deliveries (id, event, action, repo, pr, sha, outcome, detail, received_at)
     VALUES (@id, @event, @action, @repo, @pr, @sha, @outcome, @detail, @received_at)`,
  );
  const setOutcome = db.prepare<[DeliveryOutcome, string | null, string]>('UPDATE deliveries SET outcome = ?, detail = ? WHERE id = ?');
  const deleteUnused = db.prepare<[number]>(
    `DELETE FROM deliveries WHERE received_at < ? AND id NOT IN (SELECT delivery_id FROM changes WHERE delivery_id IS NOT NULL)`,
  );
  return {
    /** Record a delivery; false when this id was seen before (nothing changed). */
    insert: (row: DeliveryRow): boolean => insert.run(row).changes === 1,
    setOutcome: (id: string, outcome: DeliveryOutcome, detail: string | null) => void setOutcome.run(outcome, detail, id),
    /** Deliveries received before the cutoff that no change refers to; returns how many went. */
    deleteUnusedBefore: (cutoff: number): number => deleteUnused.run(cutoff).changes,
    list: (query: ListQuery): ListResult<DeliveryRow> =>
      listRows<DeliveryRow>(db, {
        table: 'deliveries',
        filters: { event: 'event', outcome: 'outcome', pr: 'pr', sha: 'sha' },
        orderable: ['received_at'],
        defaultOrder: '-received_at',
      }, query),
  };
}
export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
