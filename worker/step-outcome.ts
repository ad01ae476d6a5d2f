// From what the executor saw (exit code, timeout, kill) to what the master is told.
import { formatDuration } from '../shared/duration.js';
import type { StepResult } from '../shared/protocol.js';
import type { StepOutcome } from './executor/executor.js';

export interface Judged {
  result: StepResult;
  reason?: string;
}

export interface JudgeContext {
  cancel: AbortSignal;
  deadline: AbortSignal;
  buildTimeoutMs: number;
  stepTimeoutMs: number | undefined;
}

export function judgeOutcome(outcome: StepOutcome, ctx: JudgeContext): Judged {
  if (outcome.timedOut) return { result: 'failure', reason: `timed out after ${shortDuration(ctx.stepTimeoutMs ?? 0)}` };
  if (outcome.cancelled) {
    // The step's signal fires for a cancel and for the build's timeout; only the first is a cancel.
    if (!ctx.cancel.aborted && ctx.deadline.aborted) return { result: 'failure', reason: `build timed out after ${shortDuration(ctx.buildTimeoutMs)}` };
    return { result: 'cancelled', reason: 'cancelled' };
  }
  if (outcome.exitCode === 0) return { result: 'success' };
  if (outcome.exitCode === null && outcome.signal) return { result: 'failure', reason: `killed by ${outcome.signal}` };
  return { result: 'failure' };
}

/** "5m", "2h", "90s" for round values (how people write timeouts), else 1.5s, 1h2m. */
export function shortDuration(ms: number): string {
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return formatDuration(ms);
}
