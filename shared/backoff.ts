// How long to wait before trying again, for everything that retries: the worker dialing the master
// and uploading, the smee forwarder reconnecting, the master's GitHub posts and logs pushes.
//
// One formula. The k-th retry (k = 0 for the first) has the ceiling min(maxMs, baseMs · 2^k); the
// delay is drawn from the top `jitter` part of it:
//
//   delay = max(minMs, ⌊ceiling · (1 − jitter + jitter · random)⌋),  random in [0, 1)
//
// so `jitter` 1 is "full jitter" (anywhere below the ceiling), 0.5 "equal jitter" (between half and
// all of it), 0 no jitter. The randomness keeps clients that failed together (workers cut off by a
// master restart, statuses refused by one GitHub outage) from all coming back at the same instant.

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay, in ms. */
  baseMs: number;
  /** Highest ceiling, in ms. */
  maxMs: number;
  /** Which part of the ceiling is drawn at random, from 0 (none) to 1 (all of it). */
  jitter: number;
  /** Never wait less than this (default 0). */
  minMs?: number;
}

/** The delay before retry `retry` (0 for the first), in ms. `random` gives a number in [0, 1); tests pin it. */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  // Past 2^30 the cap has long been reached; stop the exponent before it overflows.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(retry, 0), 30));
  return Math.max(policy.minMs ?? 0, Math.floor(ceiling * (1 - policy.jitter + policy.jitter * random())));
}

/** A backoff that counts its own retries: for a loop that tries until it succeeds, then starts over. */
export interface Backoff {
  /** The delay before the next retry, in ms; each call raises the ceiling until it reaches maxMs. */
  next(): number;
  /** After a success: start again from baseMs. */
  reset(): void;
}

export interface BackoffOptions extends BackoffPolicy {
  /** A number in [0, 1) (default Math.random); tests pin it. */
  random?: () => number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  let retry = 0;
  return {
    next: () => backoffDelay(retry++, options, options.random),
    reset() {
      retry = 0;
    },
  };
}
