// The builds table: one row per run. Each build has exactly one request (build_requests, the queue
// state); creating, claiming, finishing and requeueing write both, so those live here.
import type { BuildResult } from '../../shared/protocol.js';
import type { Db } from './open-database.js';
import { listRows, type ListQuery, type ListResult } from './list-rows.js';

export type BuildState = 'queued' | 'running' | 'finished';

export interface BuildRow {
  id: number;
  request_id: number;
  builder: string;
  number: number;
  state: BuildState;
  result: BuildResult | null;
  result_reason: string | null;
  reason: string;
  repo: string;
  pr: number | null;
  sha: string | null;
  ref: string | null;
  clone_url: string | null;
  worker: string | null;
  cancel_requested: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The VM image the build booted, its version and when (vm builds). */
  image: string | null;
  image_version: string | null;
  image_used_at: number | null;
  /** 1 when only the builder's docs steps run (a skip string that means "docs"). */
  docs_only: number;
  /** JSON { name: value }: the properties a forced build set (null for others). */
  properties?: string | null;
  /** The pull request's title and author, as the newest webhook or reconcile of it said (read through build_view). */
  pr_title?: string | null;
  pr_author?: string | null;
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
  /** Run only the builder's docs steps (default false). */
  docsOnly?: boolean;
  /** What a forced build set (name → value), given to its steps. */
  properties?: Record<string, string>;
  /** Its place in the queue: higher goes first (default 0). */
  priority?: number;
  /** queued, awaiting approval, or recorded at once as skipped with this reason. */
  initial: { state: 'queued' } | { state: 'awaiting-approval' } | { state: 'skipped'; why: string };
}

export function createBuildStore(db: Db, now: () => number) {
  const nextNumber = db.prepare<[string], { n: number }>('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM builds WHERE builder = ?');
  const insertRequest = db.prepare(
    'INSERT INTO build_requests (change_id, builder, state, priority, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertBuild = db.prepare(
    `INSERT INTO builds (request_id, builder, number, state, result, result_reason, reason, repo, pr, sha, ref, clone_url, docs_only, properties, created_at, finished_at)
     VALUES (@request_id, @builder, @number, @state, @result, @result_reason, @reason, @repo, @pr, @sha, @ref, @clone_url, @docs_only, @properties, @created_at, @finished_at)`,
  );
  const byId = db.prepare<[number], BuildRow>('SELECT * FROM build_view WHERE id = ?');
  const openForPr = db.prepare<[string, number, string], BuildRow>(
    `SELECT b.* FROM build_view b WHERE b.repo = ? AND b.pr = ? AND b.builder = ? AND b.state != 'finished'`,
  );
  const openForPull = db.prepare<[string, number], BuildRow>(`SELECT * FROM build_view WHERE repo = ? AND pr = ? AND state != 'finished' ORDER BY id`);
  const forPush = db.prepare<[string, string, string, string], BuildRow>(
    `SELECT * FROM build_view WHERE repo = ? AND pr IS NULL AND ref = ? AND sha = ? AND builder = ? AND (result IS NULL OR result NOT IN ('cancelled', 'skipped')) LIMIT 1`,
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
    `SELECT b.* FROM build_view b JOIN build_requests r ON r.id = b.request_id WHERE b.repo = ? AND b.pr = ? AND r.state = 'awaiting-approval'`,
  );
  const requestCancel = db.prepare<[string, number]>('UPDATE builds SET cancel_requested = ? WHERE id = ?');
  const runningOn = db.prepare<[string], BuildRow>(`SELECT * FROM build_view WHERE worker = ? AND state = 'running'`);
  const insertPendingStep = db.prepare<[number, string, string]>(`INSERT OR IGNORE INTO steps (build_id, step, name, state) VALUES (?, ?, ?, 'pending')`);
  const runningCount = db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM builds WHERE builder = ? AND state = 'running'`);
  const running = db.prepare<[], { worker: string; id: number }>(`SELECT worker, id FROM builds WHERE state = 'running' AND worker IS NOT NULL`);
  const openCounts = db.prepare<[], { builder: string; state: BuildState; n: number }>(
    `SELECT builder, state, COUNT(*) AS n FROM builds WHERE state != 'finished' GROUP BY builder, state`,
  );
  const openCountsByRequest = db.prepare<[], { builder: string; state: BuildState; request: string; n: number }>(
    `SELECT b.builder, b.state, r.state AS request, COUNT(*) AS n FROM builds b JOIN build_requests r ON r.id = b.request_id
     WHERE b.state IN ('queued', 'running') GROUP BY b.builder, b.state, r.state`,
  );
  const recentOf = db.prepare<[string, number], BuildRow>('SELECT * FROM build_view WHERE builder = ? ORDER BY id DESC LIMIT ?');
  const latestWithSha = db.prepare<[string], BuildRow>('SELECT * FROM build_view WHERE builder = ? AND sha IS NOT NULL ORDER BY id DESC LIMIT 1');
  const newestOfPull = db.prepare<[string, number], BuildRow>('SELECT * FROM build_view WHERE repo = ? AND pr = ? ORDER BY id DESC LIMIT 1');
  const forHead = db.prepare<[string, string], BuildRow>('SELECT * FROM build_view WHERE repo = ? AND sha = ? ORDER BY id DESC');
  const latestForPr = db.prepare<[string, number], BuildRow>('SELECT * FROM build_view WHERE builder = ? AND pr = ? ORDER BY id DESC LIMIT 1');
  const fromChange = db.prepare<[number], BuildRow>('SELECT b.* FROM build_view b JOIN build_requests r ON r.id = b.request_id WHERE r.change_id = ?');
  const setImage = db.prepare<[string, string | null, number, number]>('UPDATE builds SET image = ?, image_version = ?, image_used_at = ? WHERE id = ?');
  const openOrFinishedSince = db.prepare<[number], BuildRow>(
    `SELECT * FROM build_view WHERE sha IS NOT NULL AND (state != 'finished' OR finished_at >= ?) ORDER BY id`,
  );
  const resultsForHead = db.prepare<[string, number, string, string], { result: BuildResult | null; result_reason: string | null }>(
    'SELECT result, result_reason FROM builds WHERE repo = ? COLLATE NOCASE AND pr = ? AND builder = ? AND sha = ?',
  );
  const newestSuccess = db.prepare<[string, string, string], { id: number }>(
    `SELECT id FROM builds WHERE repo = ? AND sha = ? AND builder = ? AND result = 'success' ORDER BY id DESC LIMIT 1`,
  );
  const allIds = db.prepare<[], { id: number }>('SELECT id FROM builds');
  const runningIds = db.prepare<[], { id: number }>(`SELECT id FROM builds WHERE state = 'running'`);
  const finishedOldestFirst = db.prepare<[], PrunableBuild>(
    `SELECT id, builder, COALESCE(finished_at, created_at) AS finished_at FROM builds WHERE state = 'finished'
     AND id NOT IN (SELECT MAX(id) FROM builds GROUP BY builder) ORDER BY COALESCE(finished_at, created_at), id`,
  );
  const unfinishedHeads = db.prepare<[], { id: number; builder: string; repo: string; sha: string }>(
    `SELECT id, builder, repo, sha FROM builds WHERE state != 'finished' AND sha IS NOT NULL ORDER BY id`,
  );
  // A verdict: a finished build that says something of the builder (success, failure, error; not
  // cancelled or skipped), in the order they finished.
  const VERDICT = `state = 'finished' AND result IN ('success', 'failure', 'error')`;
  const verdictBefore = db.prepare<[string, number, number, number], BuildRow>(
    `SELECT * FROM build_view WHERE builder = ? AND ${VERDICT} AND (finished_at < ? OR (finished_at = ? AND id < ?)) ORDER BY finished_at DESC, id DESC LIMIT 1`,
  );
  const latestVerdict = db.prepare<[string], BuildRow>(`SELECT * FROM build_view WHERE builder = ? AND ${VERDICT} ORDER BY finished_at DESC, id DESC LIMIT 1`);
  const latestVerdictOnRef = db.prepare<[string, string], BuildRow>(
    `SELECT * FROM build_view WHERE builder = ? AND pr IS NULL AND ref = ? AND ${VERDICT} ORDER BY finished_at DESC, id DESC LIMIT 1`,
  );
  const deleteIn = db.prepare<[string]>('DELETE FROM builds WHERE id IN (SELECT value FROM json_each(?))');

  return {
    /** Create a request and its build in one go; returns the build. Call inside a transaction. */
    create(b: NewBuild): BuildRow {
      const t = now();
      const requestState = b.initial.state === 'skipped' ? 'complete' : b.initial.state;
      const requestId = Number(insertRequest.run(b.changeId, b.builder, requestState, b.priority ?? 0, t).lastInsertRowid);
      const skipped = b.initial.state === 'skipped';
      const id = insertBuild.run({
        request_id: requestId,
        builder: b.builder,
        number: (nextNumber.get(b.builder) as { n: number }).n,
        state: skipped ? 'finished' : 'queued',
        result: skipped ? 'skipped' : null,
        result_reason: b.initial.state === 'skipped' ? b.initial.why : null,
        reason: b.reason,
        repo: b.repo, pr: b.pr, sha: b.sha, ref: b.ref, clone_url: b.cloneUrl, docs_only: b.docsOnly ? 1 : 0,
        properties: b.properties && Object.keys(b.properties).length > 0 ? JSON.stringify(b.properties) : null,
        created_at: t,
        finished_at: skipped ? t : null,
      }).lastInsertRowid;
      return byId.get(Number(id)) as BuildRow;
    },
    get: (id: number): BuildRow | undefined => byId.get(id),
    /** Builds of this PR and builder that are not finished yet (candidates for superseding). */
    openForPr: (repo: string, pr: number, builder: string): BuildRow[] => openForPr.all(repo, pr, builder),
    /** Every builder's builds of this PR that are not finished (a closed PR ends them). */
    openForPull: (repo: string, pr: number): BuildRow[] => openForPull.all(repo, pr),
    /** A build of this builder for this pushed ref and sha, unless it was cancelled or skipped: the same push delivered again builds nothing. */
    /** Every build of a commit of `repo`, newest first (a Re-run of a check suite rebuilds them). */
    forHead: (repo: string, sha: string): BuildRow[] => forHead.all(repo, sha),
    /** The pull request's newest build: its sha is the head the PR comment shows. */
    newestOfPull: (repo: string, pr: number): BuildRow | undefined => newestOfPull.get(repo, pr),
    forPush: (repo: string, ref: string, sha: string, builder: string): BuildRow | undefined => forPush.get(repo, ref, sha, builder),
    /** Builds of this PR whose request waits for an approval. */
    awaitingApproval: (repo: string, pr: number): BuildRow[] => awaitingForPr.all(repo, pr),
    /** Hand a queued request to a worker, with the steps it will run (shown before they start); false if someone else got it first. All or nothing: a write failing half-way (a full disk) leaves it queued. */
    claim(requestId: number, buildId: number, worker: string, steps: Array<{ id: string; name: string }> = []): boolean {
      // Request, build and its pending steps change together: a claimed request always has a running build.
      return db.transaction(() => {
        const t = now();
        if (claim.run(worker, t, requestId).changes !== 1) return false;
        start.run(worker, t, buildId);
        for (const s of steps) insertPendingStep.run(buildId, s.id, s.name);
        return true;
      })();
    },
    /** End a build (idempotent: a finished build stays as it was); its request is complete with it. */
    finish(buildId: number, result: BuildResult, reason: string | null): boolean {
      const build = byId.get(buildId);
      if (!build || finishBuild.run(result, reason, now(), buildId).changes !== 1) return false;
      completeRequest.run(build.request_id);
      return true;
    },
    /** Put a build that never really started back in the queue, its request with it. */
    requeue(build: BuildRow): void {
      requeueRequest.run(build.request_id);
      requeueBuild.run(build.id);
    },
    requestCancel: (buildId: number, why: string) => void requestCancel.run(why, buildId),
    runningOn: (worker: string): BuildRow[] => runningOn.all(worker),
    runningCount: (builder: string): number => (runningCount.get(builder) as { n: number }).n,
    /** Every running build that has a worker, with it. */
    running: (): Array<{ worker: string; id: number }> => running.all(),
    /** Builds not finished, counted per builder and state. */
    openCounts: () => openCounts.all(),
    /** Builds queued or running, counted per builder, state and their request's state (awaiting approval or not). */
    openCountsByRequest: () => openCountsByRequest.all(),
    /** The builder's newest builds, newest first. */
    recentOf: (builder: string, limit: number): BuildRow[] => recentOf.all(builder, limit),
    /** The builder's newest build that names a commit. */
    latestWithSha: (builder: string): BuildRow | undefined => latestWithSha.get(builder),
    /** The builder's newest build of this PR. */
    latestForPr: (builder: string, pr: number): BuildRow | undefined => latestForPr.get(builder, pr),
    /** The builder's verdict (success, failure or error) that finished just before this finished build. */
    verdictBefore: (build: Pick<BuildRow, 'builder' | 'id' | 'finished_at'>): BuildRow | undefined =>
      verdictBefore.get(build.builder, build.finished_at ?? 0, build.finished_at ?? 0, build.id),
    /** The builder's newest verdict: of any build, or of pushes to one ref (a badge's branch). */
    latestVerdict: (builder: string, ref?: string): BuildRow | undefined => (ref === undefined ? latestVerdict.get(builder) : latestVerdictOnRef.get(builder, ref)),
    /** The build that this change's request became, if any. */
    fromChange: (changeId: number): BuildRow | undefined => fromChange.get(changeId),
    setImage: (buildId: number, image: string, version: string | null, at: number) => void setImage.run(image, version, at, buildId),
    /** Builds with a commit that are open or finished since `since`, oldest first. */
    openOrFinishedSince: (since: number): BuildRow[] => openOrFinishedSince.all(since),
    /** What this builder's builds of a PR head came to (the repository compared case-insensitively). */
    resultsForHead: (repo: string, pr: number, builder: string, sha: string) => resultsForHead.all(repo, pr, builder, sha),
    /** The newest successful build of this builder on this repository and commit. */
    newestSuccess: (repo: string, sha: string, builder: string): number | undefined => newestSuccess.get(repo, sha, builder)?.id,
    ids: (): number[] => allIds.all().map((r) => r.id),
    runningIds: (): number[] => runningIds.all().map((r) => r.id),
    /** Finished builds retention may take, oldest first (the newest of each builder never: build numbers must not restart). */
    finishedOldestFirst: (): PrunableBuild[] => finishedOldestFirst.all(),
    /** Queued and running builds that know their commit (what they may still download from). */
    unfinishedHeads: () => unfinishedHeads.all(),
    /** Delete builds (their status outbox and publication rows go with them, ON DELETE CASCADE). */
    deleteIds: (ids: number[]) => void deleteIn.run(JSON.stringify(ids)),
    list: (query: ListQuery): ListResult<BuildRow> =>
      listRows<BuildRow>(db, {
        table: 'build_view',
        filters: { builder: 'builder', state: 'state', result: 'result', pr: 'pr', sha: 'sha', repo: 'repo', worker: 'worker' },
        orderable: ['id', 'number', 'created_at', 'started_at', 'finished_at'],
        defaultOrder: '-id',
      }, query),
  };
}
export interface PrunableBuild {
  id: number;
  builder: string;
  /** When it finished (its creation when it never ran). */
  finished_at: number;
}
export type BuildStore = ReturnType<typeof createBuildStore>;
