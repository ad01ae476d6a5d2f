import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../master/smee/backoff.js';

describe('backoffDelay', () => {
  it('waits exactly the minimum on the first retry', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 0)).toBe(1000);
    expect(backoffDelay(0, 1000, 60_000, () => 0.999)).toBe(1000);
  });

  it('doubles its range on each attempt, jittered between half and all of it', () => {
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(3, 1000, 60_000, () => 0.5)).toBe(6000);
  });

  it('is capped at the maximum and still jittered there', () => {
    expect(backoffDelay(40, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(40, 1000, 60_000, () => 0)).toBe(30_000);
    expect(backoffDelay(1e9, 1000, 60_000)).toBeLessThanOrEqual(60_000);
  });

  it('spreads many clients over the range', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, 1000, 60_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 16_000 && d <= 32_000).toBe(true);
  });
});
