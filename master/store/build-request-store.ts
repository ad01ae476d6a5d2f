// The build_requests table: the queue state of each build (awaiting approval, queued, claimed by a
// worker, complete), its attempts and why it is not running yet. Its build is in build-store.ts.
import type { Db } from './open-database.js';
import { listRows, type ListQuery, type ListResult } from './list-rows.js';

export type RequestState = 'awaiting-approval' | 'queued' | 'claimed' | 'complete';

export interface RequestRow {
  id: number;
  change_id: number | null;
  builder: string;
  state: RequestState;
  attempts: number;
  worker: string | null;
  waiting: string | null;
  /** Higher is dispatched first (the builder's, or what a forced build asked for). */
  priority: number;
  created_at: number;
  claimed_at: number | null;
}

/** A request with what its build says about it. */
export interface RequestWithBuild extends RequestRow {
  build_id: number;
  number: number;
  repo: string;
  pr: number | null;
  sha: string | null;
  reason: string;
}

export function createBuildRequestStore(db: Db, now: () => number) {
  const byId = db.prepare<[number], RequestRow>('SELECT * FROM build_requests WHERE id = ?');
  // Aging: each whole `agingMs` waited adds 1 to the priority (integer division), so a stream of
  // higher ones cannot hold a request back forever. Equal ones go oldest first.
  const runnable = db.prepare<{ now: number; agingMs: number }, RequestRow & { build_id: number }>(
    `SELECT r.*, b.id AS build_id FROM build_requests r JOIN builds b ON b.request_id = r.id
     WHERE r.state = 'queued'
     ORDER BY r.priority + CAST(MAX(0, @now - r.created_at) / @agingMs AS INTEGER) DESC, r.id LIMIT 500`,
  );
  const approve = db.prepare<[number]>(`UPDATE build_requests SET state = 'queued' WHERE id = ? AND state = 'awaiting-approval'`);
  const setWaiting = db.prepare<[string | null, number]>('UPDATE build_requests SET waiting = ? WHERE id = ?');
  const waitingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM build_requests WHERE state IN ('awaiting-approval', 'queued')`);
  const waiting = db.prepare<[number, number], RequestWithBuild>(
    `SELECT r.*, b.id AS build_id, b.number, b.repo, b.pr, b.sha, b.reason FROM build_requests r JOIN builds b ON b.request_id = r.id
     WHERE r.state IN ('awaiting-approval', 'queued') ORDER BY r.id LIMIT ? OFFSET ?`,
  );
  const deleteOrphans = db.prepare(`DELETE FROM build_requests WHERE state = 'complete' AND id NOT IN (SELECT request_id FROM builds)`);

  return {
    get: (id: number): RequestRow | undefined => byId.get(id),
    /** Queued requests with their build's id, in the order to dispatch them: highest priority (aged by `agingMs`) first, then oldest first. */
    runnable: (agingMs: number) => runnable.all({ now: now(), agingMs: Math.max(1, Math.floor(agingMs)) }),
    /** Let a request that awaited approval run; false when it was not awaiting one. */
    approve: (requestId: number): boolean => approve.run(requestId).changes === 1,
    setWaiting: (requestId: number, why: string | null) => void setWaiting.run(why, requestId),
    /** How many requests wait (for approval or for a worker). */
    waitingCount: (): number => (waitingCount.get() as { n: number }).n,
    /** One page of the waiting requests, oldest first. */
    waiting: (limit: number, offset: number): RequestWithBuild[] => waiting.all(limit, offset),
    /** Complete requests whose build was pruned. */
    deleteOrphans: () => void deleteOrphans.run(),
    list: (query: ListQuery): ListResult<RequestWithBuild> =>
      listRows<RequestWithBuild>(db, {
        table: `(SELECT r.*, b.id AS build_id, b.repo, b.pr, b.sha, b.reason FROM build_requests r JOIN builds b ON b.request_id = r.id)`,
        filters: { builder: 'builder', state: 'state' },
        orderable: ['id', 'created_at'],
        defaultOrder: 'id',
      }, query),
  };
}
export type BuildRequestStore = ReturnType<typeof createBuildRequestStore>;
