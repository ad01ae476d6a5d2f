// The durable outbox of commit statuses. A row is written when a build changes state and is
// removed from the queue only once GitHub took it (or refused it for good), so a status survives a
// master restart and a GitHub outage. Rows of one (repo, sha, context) go out in id order: only
// the oldest pending row of each is eligible, so "Build done." never lands before "Build started.".
import type { CommitState } from '../github/github-client.js';
import type { Db } from '../queue/open-database.js';

export interface OutboxRow {
  id: number;
  build_id: number;
  transition: string;
  repo: string;
  sha: string;
  context: string;
  github_state: CommitState;
  description: string;
  target_url: string | null;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface NewStatus {
  buildId: number;
  transition: string;
  repo: string;
  sha: string;
  context: string;
  state: CommitState;
  description: string;
  targetUrl: string | undefined;
}

/** Rows at the head of their (repo, sha, context) line. */
const HEADS = `FROM status_outbox o WHERE o.state = 'pending' AND NOT EXISTS (
  SELECT 1 FROM status_outbox p WHERE p.state = 'pending' AND p.repo = o.repo AND p.sha = o.sha AND p.context = o.context AND p.id < o.id)`;

export function createStatusOutbox(db: Db, now: () => number) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO status_outbox (build_id, transition, repo, sha, context, github_state, description, target_url, next_attempt_at, created_at)
     VALUES (@buildId, @transition, @repo, @sha, @context, @state, @description, @targetUrl, @at, @at)`,
  );
  const due = db.prepare<[number, number], OutboxRow>(`SELECT o.* ${HEADS} AND o.next_attempt_at <= ? ORDER BY o.id LIMIT ?`);
  const nextDue = db.prepare<[], { at: number | null }>(`SELECT MIN(o.next_attempt_at) AS at ${HEADS}`);
  const sent = db.prepare<[number, number]>(`UPDATE status_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`);
  const retry = db.prepare<[number, string, number]>(`UPDATE status_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`);
  const failed = db.prepare<[string, number]>(`UPDATE status_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`);
  const forBuild = db.prepare<[number], OutboxRow>('SELECT * FROM status_outbox WHERE build_id = ? ORDER BY id');
  const has = db.prepare<[number, string], { n: number }>('SELECT COUNT(*) AS n FROM status_outbox WHERE build_id = ? AND transition = ?');

  return {
    /** Queue a status; false when this transition of this build was queued before. */
    add(s: NewStatus): boolean {
      return insert.run({ ...s, targetUrl: s.targetUrl ?? null, at: now() }).changes === 1;
    },
    has: (buildId: number, transition: string): boolean => (has.get(buildId, transition) as { n: number }).n > 0,
    /** Rows to post now, oldest first, at most one per (repo, sha, context). */
    due: (limit = 20): OutboxRow[] => due.all(now(), limit),
    /** When the next row becomes due (it may be now), or undefined when nothing is pending. */
    nextDueAt: (): number | undefined => nextDue.get()?.at ?? undefined,
    markSent: (id: number) => void sent.run(now(), id),
    markRetry: (id: number, at: number, error: string) => void retry.run(at, error, id),
    markFailed: (id: number, error: string) => void failed.run(error, id),
    forBuild: (buildId: number): OutboxRow[] => forBuild.all(buildId),
  };
}
export type StatusOutbox = ReturnType<typeof createStatusOutbox>;
