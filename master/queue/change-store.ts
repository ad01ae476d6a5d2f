import type { Change } from '../intake/change.js';
import type { Db } from './open-database.js';

export interface StoredChange {
  id: number;
  deliveryId: string | null;
  change: Change;
}

export function createChangeStore(db: Db, now: () => number) {
  const insert = db.prepare(
    `INSERT INTO changes (delivery_id, kind, repo, pr, sha, ref, author, title, data, state, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
  );
  const pending = db.prepare<[], { id: number; delivery_id: string | null; data: string }>(
    `SELECT id, delivery_id, data FROM changes WHERE state = 'pending' ORDER BY id LIMIT 100`,
  );
  const markProcessed = db.prepare<[number]>(`UPDATE changes SET state = 'processed' WHERE id = ?`);
  return {
    insert(deliveryId: string | null, c: Change): number {
      const r = insert.run(deliveryId, c.kind, c.repo, c.pr, c.sha, c.ref, c.author ?? c.comment?.author ?? null, c.title, JSON.stringify(c), now());
      return Number(r.lastInsertRowid);
    },
    /** Changes accepted but not yet turned into build requests (also after a crash). */
    pending(): StoredChange[] {
      return pending.all().map((r) => ({ id: r.id, deliveryId: r.delivery_id, change: JSON.parse(r.data) as Change }));
    },
    markProcessed: (id: number) => void markProcessed.run(id),
  };
}
export type ChangeStore = ReturnType<typeof createChangeStore>;
