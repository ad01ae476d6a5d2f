// The durable outbox of commit statuses (status_outbox). A row is written when a build changes
// state and is removed from the queue only once GitHub took it (or refused it for good), so a
// status survives a master restart and a GitHub outage. Only the newest state of a (repo, sha,
// context) matters to GitHub (it shows the last one posted), so a row that a newer one of its key
// overtakes before it went out is marked superseded: kept for history, never posted, never retried.
// "Newer" is the later build, then the later row: a late event of an older build cannot undo a
// rebuild's state. Across keys the newest builds go first, so the current head is not queued
// behind stale ones.
import type { CommitState } from '../github/github-client.js';
import type { Db } from './open-database.js';

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
  /** superseded: a newer state of its (repo, sha, context) was queued before this one went out. */
  state: 'pending' | 'sent' | 'failed' | 'superseded';
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

/** Some row of the same (repo, sha, context) is newer than `o`. */
const OVERTAKEN = `EXISTS (SELECT 1 FROM status_outbox n WHERE n.repo = o.repo AND n.sha = o.sha AND n.context = o.context
  AND (n.build_id > o.build_id OR (n.build_id = o.build_id AND n.id > o.id)))`;
/** Pending rows that are the newest of their key (after supersede() there is no other kind). */
const HEADS = `FROM status_outbox o WHERE o.state = 'pending' AND NOT ${OVERTAKEN}`;

export function createStatusStore(db: Db, now: () => number) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO status_outbox (build_id, transition, repo, sha, context, github_state, description, target_url, next_attempt_at, created_at)
     VALUES (@buildId, @transition, @repo, @sha, @context, @state, @description, @targetUrl, @at, @at)`,
  );
  const due = db.prepare<[number, number], OutboxRow>(`SELECT o.* ${HEADS} AND o.next_attempt_at <= ? ORDER BY o.build_id DESC, o.id DESC LIMIT ?`);
  const nextDue = db.prepare<[], { at: number | null }>(`SELECT MIN(o.next_attempt_at) AS at ${HEADS}`);
  const pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM status_outbox WHERE state = 'pending'`);
  const supersedeKey = db.prepare<[string, string, string]>(
    `UPDATE status_outbox AS o SET state = 'superseded' WHERE o.state = 'pending' AND o.repo = ? AND o.sha = ? AND o.context = ? AND ${OVERTAKEN}`,
  );
  const supersedeAll = db.prepare(`UPDATE status_outbox AS o SET state = 'superseded' WHERE o.state = 'pending' AND ${OVERTAKEN}`);
  // A row superseded while its post was in flight: it did reach GitHub, so it is recorded as sent;
  // a failure of it is noted but never brings it back.
  const sent = db.prepare<[number, number]>(`UPDATE status_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`);
  const retry = db.prepare<[number, string, number]>(`UPDATE status_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`);
  const failed = db.prepare<[string, number]>(
    `UPDATE status_outbox SET state = CASE state WHEN 'pending' THEN 'failed' ELSE state END, attempts = attempts + 1, last_error = ? WHERE id = ?`,
  );
  const isPending = db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM status_outbox WHERE id = ? AND state = 'pending'`);
  const forBuild = db.prepare<[number], OutboxRow>('SELECT * FROM status_outbox WHERE build_id = ? ORDER BY id');
  const has = db.prepare<[number, string], { n: number }>('SELECT COUNT(*) AS n FROM status_outbox WHERE build_id = ? AND transition = ?');
  const deleteSettled = db.prepare<[number]>(`DELETE FROM status_outbox WHERE state != 'pending' AND created_at < ?`);

  const add = db.transaction((s: NewStatus): boolean => {
    if (insert.run({ ...s, targetUrl: s.targetUrl ?? null, at: now() }).changes !== 1) return false;
    supersedeKey.run(s.repo, s.sha, s.context);
    return true;
  });

  return {
    /** Queue a status (superseding older pending ones of its key); false when this transition of this build was queued before. */
    add: (s: NewStatus): boolean => add(s),
    /** Mark every pending row that a newer one of its key overtook (an outbox written before superseding existed); returns how many. */
    supersede: (): number => supersedeAll.run().changes,
    has: (buildId: number, transition: string): boolean => (has.get(buildId, transition) as { n: number }).n > 0,
    /** Rows to post now, newest build first, at most one per (repo, sha, context): its newest. */
    due: (limit = 20): OutboxRow[] => due.all(now(), limit),
    /** When the next row becomes due (it may be now), or undefined when nothing is pending. */
    nextDueAt: (): number | undefined => nextDue.get()?.at ?? undefined,
    /** Statuses still to be posted (the metrics' backlog). */
    pendingCount: (): number => (pendingCount.get() as { n: number }).n,
    /** Still waiting to go out (not sent, given up or superseded meanwhile). */
    isPending: (id: number): boolean => (isPending.get(id) as { n: number }).n > 0,
    markSent: (id: number) => void sent.run(now(), id),
    markRetry: (id: number, at: number, error: string) => void retry.run(at, error, id),
    markFailed: (id: number, error: string) => void failed.run(error, id),
    forBuild: (buildId: number): OutboxRow[] => forBuild.all(buildId),
    /** Rows no longer waiting (sent, given up, superseded) created before the cutoff. */
    deleteSettledBefore: (cutoff: number) => void deleteSettled.run(cutoff),
  };
}
export type StatusStore = ReturnType<typeof createStatusStore>;
