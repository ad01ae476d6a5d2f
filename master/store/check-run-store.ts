// The check_runs table: one row per build reported as a check run, with the transition it should
// show (a version bumped at each) and the version GitHub shows. What is sent is read from the
// build when it goes out, so a run that fell behind catches up in one request, not one per missed
// transition. The run's GitHub id is kept so later transitions update the same run after a restart;
// `create_sent_at` is written before a create is sent, so after a crash the run is looked up by its
// external id instead of created twice.
import type { Db } from './open-database.js';

export interface CheckRunRow {
  build_id: number;
  repo: string;
  sha: string;
  name: string;
  transition: string;
  version: number;
  sent_version: number;
  given_up: 0 | 1;
  github_id: number | null;
  create_sent_at: number | null;
  annotations_sent: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  queued_at: number;
  /** queued_at, under the name the outbox sender reads. */
  created_at: number;
}

export interface WantedCheckRun {
  buildId: number;
  repo: string;
  sha: string;
  name: string;
  transition: string;
}

const TODO = 'sent_version < version AND given_up = 0';

export function createCheckRunStore(db: Db, now: () => number) {
  const insert = db.prepare(
    `INSERT INTO check_runs (build_id, repo, sha, name, transition, next_attempt_at, queued_at) VALUES (@buildId, @repo, @sha, @name, @transition, @at, @at)
     ON CONFLICT (build_id) DO UPDATE SET transition = excluded.transition, version = version + 1, given_up = 0, attempts = 0,
       next_attempt_at = excluded.next_attempt_at, last_error = NULL, queued_at = excluded.queued_at
     WHERE check_runs.transition != excluded.transition`,
  );
  const has = db.prepare<[number, string], { n: number }>('SELECT COUNT(*) AS n FROM check_runs WHERE build_id = ? AND transition = ?');
  const get = db.prepare<[number], CheckRunRow>('SELECT *, queued_at AS created_at FROM check_runs WHERE build_id = ?');
  const due = db.prepare<[number, number], CheckRunRow>(`SELECT *, queued_at AS created_at FROM check_runs WHERE ${TODO} AND next_attempt_at <= ? ORDER BY build_id DESC LIMIT ?`);
  const nextDue = db.prepare<[], { at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM check_runs WHERE ${TODO}`);
  const pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM check_runs WHERE ${TODO}`);
  const isPending = db.prepare<[number, number], { n: number }>(`SELECT COUNT(*) AS n FROM check_runs WHERE build_id = ? AND version = ? AND ${TODO}`);
  const sent = db.prepare<[number, number, number]>('UPDATE check_runs SET sent_version = MAX(sent_version, ?), attempts = 0, last_error = NULL WHERE build_id = ? AND version >= ?');
  // Backoff and giving up apply to the version that failed; a newer one keeps its own schedule.
  const retry = db.prepare<[number, string, number, number]>(
    'UPDATE check_runs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE build_id = ? AND version = ?',
  );
  const failed = db.prepare<[number, string, number]>('UPDATE check_runs SET given_up = CASE WHEN version = ? THEN 1 ELSE given_up END, last_error = ? WHERE build_id = ?');
  const createSent = db.prepare<[number, number]>('UPDATE check_runs SET create_sent_at = ? WHERE build_id = ?');
  const githubId = db.prepare<[number, number]>('UPDATE check_runs SET github_id = ? WHERE build_id = ?');
  const annotationsSent = db.prepare<[number, number]>('UPDATE check_runs SET annotations_sent = ? WHERE build_id = ?');

  return {
    /** Ask for the build's run to show `transition`; false when it already does (or is asked to). */
    want: (run: WantedCheckRun): boolean => insert.run({ ...run, at: now() }).changes === 1,
    has: (buildId: number, transition: string): boolean => (has.get(buildId, transition) as { n: number }).n > 0,
    get: (buildId: number): CheckRunRow | undefined => get.get(buildId),
    /** Runs to post now, newest build first. */
    due: (limit = 20): CheckRunRow[] => due.all(now(), limit),
    nextDueAt: (): number | undefined => nextDue.get()?.at ?? undefined,
    pendingCount: (): number => (pendingCount.get() as { n: number }).n,
    /** The row still asks for what it asked for when read (no newer transition, not sent or given up). */
    isPending: (row: CheckRunRow): boolean => (isPending.get(row.build_id, row.version) as { n: number }).n > 0,
    markSent: (row: CheckRunRow) => void sent.run(row.version, row.build_id, row.version),
    markRetry: (row: CheckRunRow, at: number, error: string) => void retry.run(at, error, row.build_id, row.version),
    markFailed: (row: CheckRunRow, error: string) => void failed.run(row.version, error, row.build_id),
    /** Written before a create is sent: from now on the run may exist on GitHub. */
    markCreateSent: (buildId: number) => void createSent.run(now(), buildId),
    setGithubId: (buildId: number, id: number) => void githubId.run(id, buildId),
    setAnnotationsSent: (buildId: number, count: number) => void annotationsSent.run(count, buildId),
  };
}
export type CheckRunStore = ReturnType<typeof createCheckRunStore>;
