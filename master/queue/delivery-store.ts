import type { ApiDelivery, DeliveryOutcome } from '../api/schemas/deliveries.js';
import type { Db } from './open-database.js';

// A delivery row is exactly what the API shows (master/api/schemas/deliveries.ts).
export type { DeliveryOutcome } from '../api/schemas/deliveries.js';
export type DeliveryRow = ApiDelivery;

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
