// The logs_publications table: which builds the logs branch still owes: one row per build that ran, with what it should show
// (the placeholder while running, the whole folder once finished) and what it shows. Durable, so a
// build that finished just before a crash is still published after the restart.
import type { Db } from './open-database.js';

export type Publication = 'started' | 'finished';

export interface PublicationRow {
  build_id: number;
  wanted: Publication;
  published: Publication | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  updated_at: number;
}

export function createPublicationStore(db: Db, now: () => number) {
  // A finished build is never asked to go back to its placeholder (events can arrive late).
  const want = db.prepare(
    `INSERT INTO logs_publications (build_id, wanted, next_attempt_at, updated_at) VALUES (@id, @wanted, @at, @at)
     ON CONFLICT (build_id) DO UPDATE SET
       wanted = CASE WHEN logs_publications.wanted = 'finished' THEN 'finished' ELSE excluded.wanted END,
       next_attempt_at = CASE WHEN logs_publications.wanted = excluded.wanted THEN logs_publications.next_attempt_at ELSE excluded.next_attempt_at END,
       attempts = CASE WHEN logs_publications.wanted = excluded.wanted THEN logs_publications.attempts ELSE 0 END,
       updated_at = excluded.updated_at`,
  );
  const due = db.prepare<[number, number], PublicationRow>(
    'SELECT * FROM logs_publications WHERE published IS NOT wanted AND next_attempt_at <= ? ORDER BY build_id LIMIT ?',
  );
  const nextDue = db.prepare<[], { at: number | null }>('SELECT MIN(next_attempt_at) AS at FROM logs_publications WHERE published IS NOT wanted');
  const owedCount = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM logs_publications WHERE published IS NOT wanted');
  const published = db.prepare<[Publication, number, number]>('UPDATE logs_publications SET published = ?, attempts = 0, last_error = NULL, updated_at = ? WHERE build_id = ?');
  const retry = db.prepare<[number, string, number, number]>('UPDATE logs_publications SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE build_id = ?');
  const get = db.prepare<[number], PublicationRow>('SELECT * FROM logs_publications WHERE build_id = ?');
  // Builds that ran recently and have no row: their event was missed.
  const missing = db.prepare<[number], { id: number; state: string }>(
    `SELECT b.id, b.state FROM builds b LEFT JOIN logs_publications p ON p.build_id = b.id
     WHERE p.build_id IS NULL AND b.started_at IS NOT NULL AND (b.state != 'finished' OR b.finished_at >= ?)`,
  );

  return {
    want: (buildId: number, wanted: Publication) => void want.run({ id: buildId, wanted, at: now() }),
    due: (limit = 20): PublicationRow[] => due.all(now(), limit),
    nextDueAt: (): number | undefined => nextDue.get()?.at ?? undefined,
    /** Builds the branch does not show as they are yet (the metrics' backlog). */
    owedCount: (): number => (owedCount.get() as { n: number }).n,
    markPublished: (buildId: number, what: Publication) => void published.run(what, now(), buildId),
    markRetry: (buildIds: number[], at: number, error: string) => {
      db.transaction(() => {
        for (const id of buildIds) retry.run(at, error, now(), id);
      })();
    },
    get: (buildId: number): PublicationRow | undefined => get.get(buildId),
    /** Rows for builds that ran since `since` and have none; returns how many were added. */
    sweep(since: number): number {
      const rows = missing.all(since);
      for (const r of rows) want.run({ id: r.id, wanted: r.state === 'finished' ? 'finished' : 'started', at: now() });
      return rows.length;
    },
  };
}
export type PublicationStore = ReturnType<typeof createPublicationStore>;
