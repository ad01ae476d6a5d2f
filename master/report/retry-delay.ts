// How long to wait before trying a failed post or push again.

export interface RetryPolicy {
  /** First wait (default 2 s). */
  baseMs: number;
  /** Longest wait (default 10 min). */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 600_000 };

/**
 * Wait after the `attempts`-th failure (1 for the first): doubling from baseMs up to maxMs, then
 * drawn between 75 % and 100 % of that, so rows that failed together do not all retry together.
 * GitHub's own word (a rate-limit reset, retry-after) wins when it says to wait longer.
 */
export function retryDelay(attempts: number, policy: RetryPolicy, notBefore?: number, now = Date.now(), random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  const delay = Math.round(cap * (0.75 + random() * 0.25));
  return notBefore !== undefined ? Math.max(delay, notBefore - now) : delay;
}
