import type { Db } from './open-database.js';

export type DeliveryOutcome = 'pending' | 'queued' | 'skipped' | 'ignored' | 'error';

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
  return {
    /** Record a delivery; false when this id was seen before (nothing changed). */
    insert: (row: DeliveryRow): boolean => insert.run(row).changes === 1,
    setOutcome: (id: string, outcome: DeliveryOutcome, detail: string | null) => void setOutcome.run(outcome, detail, id),
  };
}
export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
