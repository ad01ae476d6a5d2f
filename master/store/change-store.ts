// The changes table: what webhooks, reconciling, chaining and the API asked for, normalized, until
// the change processor turned each into build requests.
import type { Change } from '../intake/change.js';
import type { Db } from './open-database.js';
import { listRows, type ListQuery, type ListResult } from './list-rows.js';

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
  const newestBaseRef = db.prepare<[string, number], { base: string }>(
    `SELECT json_extract(data, '$.baseRef') AS base FROM changes
     WHERE repo = ? AND pr = ? AND json_extract(data, '$.baseRef') IS NOT NULL ORDER BY id DESC LIMIT 1`,
  );
  const pendingForHead = db.prepare<[string, number, string], { n: number }>(
    `SELECT COUNT(*) AS n FROM changes WHERE state = 'pending' AND repo = ? COLLATE NOCASE AND pr = ? AND (sha = ? OR sha IS NULL)`,
  );
  const deleteUnused = db.prepare<[number]>(
    `DELETE FROM changes WHERE state = 'processed' AND created_at < ? AND id NOT IN (SELECT change_id FROM build_requests WHERE change_id IS NOT NULL)`,
  );
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
    /** The base branch the PR's newest change that names one names. */
    newestBaseRef: (repo: string, pr: number): string | undefined => newestBaseRef.get(repo, pr)?.base,
    /** Pending changes of this PR for this head or for no head in particular (the repository compared case-insensitively). */
    pendingForHead: (repo: string, pr: number, sha: string): number => (pendingForHead.get(repo, pr, sha) as { n: number }).n,
    /** Processed changes created before the cutoff that no request refers to; returns how many went. */
    deleteUnusedBefore: (cutoff: number): number => deleteUnused.run(cutoff).changes,
    list: (query: ListQuery): ListResult<Record<string, unknown>> =>
      listRows<Record<string, unknown>>(db, {
        table: `(SELECT id, delivery_id, kind, repo, pr, sha, ref, author, title, state, created_at FROM changes)`,
        filters: { kind: 'kind', pr: 'pr', sha: 'sha', repo: 'repo' },
        orderable: ['id', 'created_at'],
        defaultOrder: '-id',
      }, query),
  };
}
export type ChangeStore = ReturnType<typeof createChangeStore>;
