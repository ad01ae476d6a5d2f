// The pr_comments table: one row per pull request that has (or should have) the builders comment,
// with a version bumped whenever what it should show changes, and the version GitHub shows. Many
// changes while one edit is in flight or waiting make one more edit, not one each. The comment's
// id is kept for edits after a restart; `create_sent_at` is written before a create is sent, so
// after a crash the comment is looked up by its marker instead of posted twice.
import type { Db } from './open-database.js';

export interface PrCommentRow {
  repo: string;
  pr: number;
  shown: string;
  version: number;
  sent_version: number;
  given_up: 0 | 1;
  comment_id: number | null;
  create_sent_at: number | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  queued_at: number;
  /** queued_at, under the name the outbox sender reads. */
  created_at: number;
}

const TODO = 'sent_version < version AND given_up = 0';
const ROW = 'SELECT *, queued_at AS created_at FROM pr_comments';

export function createPrCommentStore(db: Db, now: () => number) {
  const upsert = db.prepare(
    `INSERT INTO pr_comments (repo, pr, shown, next_attempt_at, queued_at) VALUES (@repo, @pr, @shown, @at, @at)
     ON CONFLICT (repo, pr) DO UPDATE SET shown = excluded.shown, version = version + 1, given_up = 0, attempts = 0,
       next_attempt_at = excluded.next_attempt_at, last_error = NULL, queued_at = excluded.queued_at
     WHERE pr_comments.shown != excluded.shown`,
  );
  const get = db.prepare<[string, number], PrCommentRow>(`${ROW} WHERE repo = ? AND pr = ?`);
  const due = db.prepare<[number, number], PrCommentRow>(`${ROW} WHERE ${TODO} AND next_attempt_at <= ? ORDER BY queued_at DESC LIMIT ?`);
  const nextDue = db.prepare<[], { at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM pr_comments WHERE ${TODO}`);
  const isPending = db.prepare<[string, number, number], { n: number }>(`SELECT COUNT(*) AS n FROM pr_comments WHERE repo = ? AND pr = ? AND version = ? AND ${TODO}`);
  const sent = db.prepare<[number, string, number]>('UPDATE pr_comments SET sent_version = MAX(sent_version, ?), attempts = 0, last_error = NULL WHERE repo = ? AND pr = ?');
  const retry = db.prepare<[number, string, string, number, number]>('UPDATE pr_comments SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE repo = ? AND pr = ? AND version = ?');
  const failed = db.prepare<[number, string, string, number]>('UPDATE pr_comments SET given_up = CASE WHEN version = ? THEN 1 ELSE given_up END, last_error = ? WHERE repo = ? AND pr = ?');
  const createSent = db.prepare<[number, string, number]>('UPDATE pr_comments SET create_sent_at = ? WHERE repo = ? AND pr = ?');
  const commentId = db.prepare<[number, string, number]>('UPDATE pr_comments SET comment_id = ? WHERE repo = ? AND pr = ?');

  return {
    /** Ask for the comment to show `shown` (a fingerprint of its content); false when it already does or is asked to. */
    want: (repo: string, pr: number, shown: string): boolean => upsert.run({ repo, pr, shown, at: now() }).changes === 1,
    get: (repo: string, pr: number): PrCommentRow | undefined => get.get(repo, pr),
    due: (limit = 20): PrCommentRow[] => due.all(now(), limit),
    nextDueAt: (): number | undefined => nextDue.get()?.at ?? undefined,
    isPending: (row: PrCommentRow): boolean => (isPending.get(row.repo, row.pr, row.version) as { n: number }).n > 0,
    markSent: (row: PrCommentRow) => void sent.run(row.version, row.repo, row.pr),
    markRetry: (row: PrCommentRow, at: number, error: string) => void retry.run(at, error, row.repo, row.pr, row.version),
    markFailed: (row: PrCommentRow, error: string) => void failed.run(row.version, error, row.repo, row.pr),
    markCreateSent: (repo: string, pr: number) => void createSent.run(now(), repo, pr),
    setCommentId: (repo: string, pr: number, id: number) => void commentId.run(id, repo, pr),
  };
}
export type PrCommentStore = ReturnType<typeof createPrCommentStore>;
