// Build requests (the queue) and builds (the runs) are created together, one to one: the request
// holds queue state (awaiting approval, claimed by a worker, attempts), the build the run's record.
import type { BuildResult } from '../../shared/protocol.js';
import type { ApiBuild } from '../api/schemas/builds.js';
import type { RequestState } from '../api/schemas/buildrequests.js';
import type { Db } from './open-database.js';

// The row and state types are the API's (master/api/schemas), plus what the API does not show.
export type { BuildState } from '../api/schemas/builds.js';
export type { RequestState } from '../api/schemas/buildrequests.js';

export interface BuildRow extends ApiBuild {
  request_id: number;
  clone_url: string | null;
}

export interface RequestRow {
  id: number;
  change_id: number | null;
  builder: string;
  state: RequestState;
  attempts: number;
  worker: string | null;
  waiting: string | null;
  created_at: number;
  claimed_at: number | null;
}

export interface NewBuild {
  changeId: number | null;
  builder: string;
  reason: string;
  repo: string;
  pr: number | null;
  sha: string | null;
  ref: string | null;
  cloneUrl: string | null;
  /** queued, awaiting approval, or recorded at once as skipped with this reason. */
  initial: { state: 'queued' } | { state: 'awaiting-approval' } | { state: 'skipped'; why: string };
}

export function createBuildStore(db: Db, now: () => number) {
  const nextNumber = db.prepare<[string], { n: number }>('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM builds WHERE builder = ?');
  const insertRequest = db.prepare(
    'INSERT INTO build_requests (change_id, builder, state, created_at) VALUES (?, ?, ?, ?)',
  );
  const insertBuild = db.prepare(
    `INSERT INTO builds (request_id, builder, number, state, result, result_reason, reason, repo, pr, sha, ref, clone_url, created_at, finished_at)
     VALUES (@request_id, @builder, @number, @state, @result, @result_reason, @reason, @repo, @pr, @sha, @ref, @clone_url, @created_at, @finished_at)`,
  );
  const byId = db.prepare<[number], BuildRow>('SELECT * FROM builds WHERE id = ?');
  const requestById = db.prepare<[number], RequestRow>('SELECT * FROM build_requests WHERE id = ?');
  const openForPr = db.prepare<[string, number, string], BuildRow>(
    `SELECT b.* FROM builds b WHERE b.repo = ? AND b.pr = ? AND b.builder = ? AND b.state != 'finished'`,
  );
  const openForPull = db.prepare<[string, number], BuildRow>(`SELECT * FROM builds WHERE repo = ? AND pr = ? AND state != 'finished' ORDER BY id`);
  const forPush = db.prepare<[string, string, string, string], BuildRow>(
    `SELECT * FROM builds WHERE repo = ? AND pr IS NULL AND ref = ? AND sha = ? AND builder = ? AND (result IS NULL OR result NOT IN ('cancelled', 'skipped')) LIMIT 1`,
  );
  const runnable = db.prepare<[], RequestRow & { build_id: number }>(
    `SELECT r.*, b.id AS build_id FROM build_requests r JOIN builds b ON b.request_id = r.id
     WHERE r.state = 'queued' ORDER BY r.id LIMIT 500`,
  );
  const claim = db.prepare<[string, number, number]>(
    `UPDATE build_requests SET state = 'claimed', worker = ?, claimed_at = ?, attempts = attempts + 1, waiting = NULL WHERE id = ? AND state = 'queued'`,
  );
  const start = db.prepare<[string, number, number]>(`UPDATE builds SET state = 'running', worker = ?, started_at = ? WHERE id = ?`);
  const finishBuild = db.prepare<[BuildResult, string | null, number, number]>(
    `UPDATE builds SET state = 'finished', result = ?, result_reason = ?, finished_at = ? WHERE id = ? AND state != 'finished'`,
  );
  const completeRequest = db.prepare<[number]>(`UPDATE build_requests SET state = 'complete', waiting = NULL WHERE id = ?`);
  const requeueRequest = db.prepare<[number]>(`UPDATE build_requests SET state = 'queued', worker = NULL, claimed_at = NULL WHERE id = ?`);
  const requeueBuild = db.prepare<[number]>(`UPDATE builds SET state = 'queued', worker = NULL, started_at = NULL WHERE id = ?`);
  const awaitingForPr = db.prepare<[string, number], BuildRow>(
    `SELECT b.* FROM builds b JOIN build_requests r ON r.id = b.request_id WHERE b.repo = ? AND b.pr = ? AND r.state = 'awaiting-approval'`,
  );
  const approve = db.prepare<[number]>(`UPDATE build_requests SET state = 'queued' WHERE id = ? AND state = 'awaiting-approval'`);
  const setWaiting = db.prepare<[string | null, number]>('UPDATE build_requests SET waiting = ? WHERE id = ?');
  const requestCancel = db.prepare<[string, number]>('UPDATE builds SET cancel_requested = ? WHERE id = ?');
  const runningOn = db.prepare<[string], BuildRow>(`SELECT * FROM builds WHERE worker = ? AND state = 'running'`);
  const insertPendingStep = db.prepare<[number, string, string]>(`INSERT OR IGNORE INTO steps (build_id, step, name, state) VALUES (?, ?, ?, 'pending')`);
  const runningCount = db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM builds WHERE builder = ? AND state = 'running'`);

  const store = {
    /** Create a request and its build in one go; returns the build. Call inside a transaction. */
    create(b: NewBuild): BuildRow {
      const t = now();
      const requestState = b.initial.state === 'skipped' ? 'complete' : b.initial.state;
      const requestId = Number(insertRequest.run(b.changeId, b.builder, requestState, t).lastInsertRowid);
      const skipped = b.initial.state === 'skipped';
      const id = insertBuild.run({
        request_id: requestId,
        builder: b.builder,
        number: (nextNumber.get(b.builder) as { n: number }).n,
        state: skipped ? 'finished' : 'queued',
        result: skipped ? 'skipped' : null,
        result_reason: b.initial.state === 'skipped' ? b.initial.why : null,
        reason: b.reason,
        repo: b.repo, pr: b.pr, sha: b.sha, ref: b.ref, clone_url: b.cloneUrl,
        created_at: t,
        finished_at: skipped ? t : null,
      }).lastInsertRowid;
      return byId.get(Number(id)) as BuildRow;
    },
    get: (id: number): BuildRow | undefined => byId.get(id),
    request: (id: number): RequestRow | undefined => requestById.get(id),
    /** Builds of this PR and builder that are not finished yet (candidates for superseding). */
    openForPr: (repo: string, pr: number, builder: string): BuildRow[] => openForPr.all(repo, pr, builder),
    /** Every builder's builds of this PR that are not finished (a closed PR ends them). */
    openForPull: (repo: string, pr: number): BuildRow[] => openForPull.all(repo, pr),
    /** A build of this builder for this pushed ref and sha, unless it was cancelled or skipped: the same push delivered again builds nothing. */
    forPush: (repo: string, ref: string, sha: string, builder: string): BuildRow | undefined => forPush.get(repo, ref, sha, builder),
    awaitingApproval: (repo: string, pr: number): BuildRow[] => awaitingForPr.all(repo, pr),
    approve: (requestId: number): boolean => approve.run(requestId).changes === 1,
    /** Queued requests, oldest first. */
    runnable: () => runnable.all(),
    setWaiting: (requestId: number, why: string | null) => void setWaiting.run(why, requestId),
    /** Hand a queued request to a worker, with the steps it will run (shown before they start); false if someone else got it first. All or nothing: a write failing half-way (a full disk) leaves it queued. */
    claim(requestId: number, buildId: number, worker: string, steps: Array<{ id: string; name: string }> = []): boolean {
      return db.transaction(() => {
        const t = now();
        if (claim.run(worker, t, requestId).changes !== 1) return false;
        start.run(worker, t, buildId);
        for (const s of steps) insertPendingStep.run(buildId, s.id, s.name);
        return true;
      })();
    },
    /** End a build (idempotent: a finished build stays as it was). */
    finish(buildId: number, result: BuildResult, reason: string | null): boolean {
      const build = byId.get(buildId);
      if (!build || finishBuild.run(result, reason, now(), buildId).changes !== 1) return false;
      completeRequest.run(build.request_id);
      return true;
    },
    /** Put a build that never really started back in the queue. */
    requeue(build: BuildRow): void {
      requeueRequest.run(build.request_id);
      requeueBuild.run(build.id);
    },
    requestCancel: (buildId: number, why: string) => void requestCancel.run(why, buildId),
    runningOn: (worker: string): BuildRow[] => runningOn.all(worker),
    runningCount: (builder: string): number => (runningCount.get(builder) as { n: number }).n,
  };
  return store;
}
export type BuildStore = ReturnType<typeof createBuildStore>;
