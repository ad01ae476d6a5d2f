// A build's steps as the page lists them: the rows the master has (it adds pending ones when it
// dispatches a build), and, for a build not dispatched yet, the builder's configured steps. A
// step still pending when its build is over is shown as "not run".
import type { ApiStep } from '../../../api/schemas';
import { compareStepIds } from '../../../../shared/protocol/step-order';

export interface ShownStep extends ApiStep {
  /** It has begun (and so may have a log). */
  started: boolean;
  /** A configured step the build ended without running. */
  notRun: boolean;
}


export function mergeSteps(rows: ApiStep[], configured: string[], buildFinished: boolean): ShownStep[] {
  const shown: ShownStep[] = rows.map((r) => ({ ...r, started: r.state !== 'pending', notRun: r.state === 'pending' && buildFinished }));
  const have = new Set(rows.map((r) => r.step.split('.')[0]));
  configured.forEach((name, i) => {
    if (have.has(String(i))) return;
    shown.push({
      step: String(i), name, state: 'pending', result: null, exit_code: null, reason: null,
      started_at: null, finished_at: null, duration_ms: null, log_bytes: 0, started: false, notRun: buildFinished,
    });
  });
  return shown.sort((a, b) => compareStepIds(a.step, b.step));
}

/**
 * The steps to open by themselves: the failed ones, else the newest running one. Only one: each
 * running log holds a live connection, and a browser allows six per server (HTTP/1.1).
 */
export function defaultOpen(steps: ShownStep[]): Set<string> {
  const failed = steps.filter((s) => s.result === 'failure' || s.result === 'error');
  if (failed.length > 0) return new Set(failed.map((s) => s.step));
  const running = steps.filter((s) => s.state === 'running');
  const newest = running.sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0))[0];
  return new Set(newest ? [newest.step] : []);
}
