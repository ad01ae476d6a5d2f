import { describe, expect, it } from 'vitest';
import type { CollectGarbage } from '../../../master/dispatch/frame-memory.js';
import { collectStartupGarbage } from '../../../master/startup-garbage.js';

describe('startup garbage', () => {
  it('runs six full collections, the first a second after start, so startup-only bytecode ages out', async () => {
    const calls: Array<{ options: Parameters<CollectGarbage>[0]; at: number }> = [];
    const start = performance.now();
    await collectStartupGarbage((options) => void calls.push({ options, at: performance.now() - start }));
    expect(calls.map((c) => c.options)).toEqual(Array(6).fill({ type: 'major' }));
    expect(calls[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('does nothing when node runs without --expose-gc', async () => {
    const gc = (globalThis as { gc?: unknown }).gc;
    expect(gc).toBeUndefined();
    await expect(collectStartupGarbage()).resolves.toBeUndefined();
  });
});
