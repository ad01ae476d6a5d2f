// The steps table: each step of a build as it ran (pending when the build was claimed, running,
// finished), and how many bytes of its log the database has committed.
import type { StepResult } from '../../shared/protocol.js';
import type { Db } from './open-database.js';

export type StepState = 'pending' | 'running' | 'finished';

export interface StepRow {
  /** Position in the builder: "0", "1", "2.0"… */
  step: string;
  name: string;
  state: StepState;
  result: StepResult | null;
  exit_code: number | null;
  reason: string | null;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  log_bytes: number;
}

export interface FinishedStep {
  buildId: number;
  step: string;
  name: string;
  result: StepResult;
  exitCode: number | null;
  reason: string | null;
  at: number;
  durationMs: number;
}

export function createStepStore(db: Db) {
  const ofBuild = db.prepare<[number], StepRow>(
    'SELECT step, name, state, result, exit_code, reason, started_at, finished_at, duration_ms, log_bytes FROM steps WHERE build_id = ? ORDER BY id',
  );
  const stateOf = db.prepare<[number, string], { state: StepState; log_bytes: number }>('SELECT state, log_bytes FROM steps WHERE build_id = ? AND step = ?');
  const startedCount = db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM steps WHERE build_id = ? AND state != 'pending'`);
  const started = db.prepare<[number, string, string, number]>(
    `INSERT INTO steps (build_id, step, name, state, started_at) VALUES (?, ?, ?, 'running', ?)
     ON CONFLICT (build_id, step) DO UPDATE SET state = 'running', started_at = excluded.started_at`,
  );
  const ensureRunning = db.prepare<[number, string, string]>(`INSERT OR IGNORE INTO steps (build_id, step, name, state) VALUES (?, ?, ?, 'running')`);
  const setLogBytes = db.prepare<[number, number, string]>('UPDATE steps SET log_bytes = ? WHERE build_id = ? AND step = ?');
  const finished = db.prepare(
    `INSERT INTO steps (build_id, step, name, state, result, exit_code, reason, finished_at, duration_ms)
     VALUES (@build_id, @step, @name, 'finished', @result, @exit_code, @reason, @at, @duration_ms)
     ON CONFLICT (build_id, step) DO UPDATE SET state = 'finished', result = excluded.result, exit_code = excluded.exit_code,
       reason = excluded.reason, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms`,
  );
  const deleteFor = db.prepare<[string]>('DELETE FROM steps WHERE build_id IN (SELECT value FROM json_each(?))');

  return {
    /** A build's steps in the order they were recorded. */
    ofBuild: (buildId: number): StepRow[] => ofBuild.all(buildId),
    /** A step's state and committed log size. */
    state: (buildId: number, step: string) => stateOf.get(buildId, step),
    /** How many of a build's steps got past pending. */
    startedCount: (buildId: number): number => (startedCount.get(buildId) as { n: number }).n,
    markStarted: (buildId: number, step: string, name: string, at: number) => void started.run(buildId, step, name, at),
    /** A log line for a step not started (or not known): the step shows as running. */
    ensureRunning: (buildId: number, step: string, name: string) => void ensureRunning.run(buildId, step, name),
    setLogBytes: (buildId: number, step: string, bytes: number) => void setLogBytes.run(bytes, buildId, step),
    markFinished: (s: FinishedStep) =>
      void finished.run({ build_id: s.buildId, step: s.step, name: s.name, result: s.result, exit_code: s.exitCode, reason: s.reason, at: s.at, duration_ms: s.durationMs }),
    deleteForBuilds: (buildIds: number[]) => void deleteFor.run(JSON.stringify(buildIds)),
  };
}
export type StepStore = ReturnType<typeof createStepStore>;
