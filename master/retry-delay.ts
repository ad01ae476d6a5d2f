// How long to wait before trying a failed post or push again: the shared backoff (shared/backoff.ts)
// with little jitter (75–100 % of the doubling ceiling), unless GitHub says to wait longer.
import { backoffDelay } from '../shared/backoff.js';

export interface RetryPolicy {
  /** First wait (default 2 s). */
  baseMs: number;
  /** Longest wait (default 10 min). */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 600_000 };

/** Wait after the `attempts`-th failure (1 for the first). GitHub's own word (a rate-limit reset, retry-after) wins when it says to wait longer. */
export function retryDelay(attempts: number, policy: RetryPolicy, notBefore?: number, now = Date.now(), random: () => number = Math.random): number {
  const delay = backoffDelay(attempts - 1, { ...policy, jitter: 0.25 }, random);
  return notBefore !== undefined ? Math.max(delay, notBefore - now) : delay;
}
