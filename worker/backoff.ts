// Reconnect delays: exponential with full jitter (a random delay between 0 and the exponential
// ceiling), so workers cut off together by a master restart do not all dial back at the same instant.

export interface Backoff {
  /** The delay before the next attempt, in ms; each call raises the ceiling until it reaches the cap. */
  next(): number;
  /** After a successful connection: start again from the base. */
  reset(): void;
}

export interface BackoffOptions {
  /** Ceiling of the first delay (default 500 ms). */
  baseMs?: number;
  /** Highest ceiling (default 30 s). */
  capMs?: number;
  /** A number in [0, 1) (default Math.random); tests pin it. */
  random?: () => number;
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = options.baseMs ?? 500;
  const capMs = options.capMs ?? 30_000;
  const random = options.random ?? Math.random;
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
      // Past the cap the exponent no longer matters; stop it before 2 ** attempt overflows.
      if (ceiling < capMs) attempt++;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempt = 0;
    },
  };
}
