// The one backoff (shared/backoff.ts) and the three ways it is used: the worker's full jitter, the
// smee forwarder's equal jitter with its floor, the report's retries near the doubling ceiling.
import { describe, expect, it } from 'vitest';
import { backoffDelay, createBackoff } from '../../../shared/backoff.js';
import { retryDelay } from '../../../master/retry-delay.js';
import { WORKER_BACKOFF } from '../../../worker/connection.js';

const smee = { baseMs: 1000, maxMs: 60_000, jitter: 0.5, minMs: 1000 };

describe('backoffDelay', () => {
  it('doubles the ceiling per retry up to maxMs, and draws the top `jitter` part of it', () => {
    const policy = { baseMs: 1000, maxMs: 60_000, jitter: 0.5 };
    expect(backoffDelay(3, policy, () => 0)).toBe(4000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(6000);
    expect(backoffDelay(3, policy, () => 0.999_999)).toBe(7999);
    expect(backoffDelay(40, policy, () => 0.999_999)).toBe(59_999);
    expect(backoffDelay(40, policy, () => 0)).toBe(30_000);
    expect(backoffDelay(1e9, policy)).toBeLessThan(60_000);
    expect(backoffDelay(3, { ...policy, jitter: 0 }, () => 0.7)).toBe(8000);
  });

  it('spreads many clients over the range', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, smee)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 16_000 && d < 32_000).toBe(true);
  });

  it('never waits less than minMs: the smee forwarder waits exactly its minimum on the first retry', () => {
    expect(backoffDelay(0, smee, () => 0)).toBe(1000);
    expect(backoffDelay(0, smee, () => 0.999)).toBe(1000);
    expect(backoffDelay(1, smee, () => 0)).toBe(1000);
    expect(backoffDelay(1, smee, () => 0.999)).toBe(1999);
  });
});

describe('createBackoff', () => {
  it("counts its retries and starts over on reset (the worker's: full jitter, from 0 up to the ceiling)", () => {
    const top = createBackoff({ ...WORKER_BACKOFF, random: () => 0.999_999 });
    expect(Array.from({ length: 9 }, () => top.next())).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
    top.reset();
    expect(top.next()).toBe(499);
    expect(createBackoff({ ...WORKER_BACKOFF, random: () => 0 }).next()).toBe(0);
  });
});

describe('retryDelay (GitHub posts and logs pushes)', () => {
  const policy = { baseMs: 2000, maxMs: 600_000 };

  it('waits 75–100 % of the doubling ceiling after each failure', () => {
    expect(retryDelay(1, policy, undefined, 0, () => 0)).toBe(1500);
    expect(retryDelay(1, policy, undefined, 0, () => 0.999_999)).toBe(1999);
    expect(retryDelay(3, policy, undefined, 0, () => 0)).toBe(6000);
    expect(retryDelay(50, policy, undefined, 0, () => 0)).toBe(450_000);
  });

  it("waits longer when GitHub says so, never shorter", () => {
    expect(retryDelay(1, policy, 90_000, 30_000, () => 0)).toBe(60_000);
    expect(retryDelay(3, policy, 1000, 0, () => 0)).toBe(6000);
  });
});
