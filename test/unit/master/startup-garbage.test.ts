import { describe, expect, it } from 'vitest';
import { collectStartupGarbage } from '../../../master/startup-garbage.js';

describe('startup garbage', () => {
  it('runs one plain (forced) collection a second after start', async () => {
    const calls: Array<{ args: unknown[]; at: number }> = [];
    const start = performance.now();
    await collectStartupGarbage((...args: unknown[]) => void calls.push({ args, at: performance.now() - start }));
    expect(calls.map((c) => c.args)).toEqual([[]]);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('does nothing when node runs without --expose-gc', async () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    await expect(collectStartupGarbage()).resolves.toBeUndefined();
  });
});
