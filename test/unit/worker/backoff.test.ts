import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../../worker/backoff.js';

describe('backoff', () => {
  it('doubles its ceiling from the base up to the cap, with full jitter, and resets', () => {
    const top = createBackoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
    const ceilings = Array.from({ length: 9 }, () => top.next());
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
    top.reset();
    expect(top.next()).toBe(499);
    const bottom = createBackoff({ random: () => 0 });
    expect(bottom.next()).toBe(0);
  });
});
