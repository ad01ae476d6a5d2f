import { describe, expect, it } from 'vitest';
import { type CollectGarbage, createFrameMemory } from '../../../master/dispatch/frame-memory.js';

describe('frame memory', () => {
  it('asks for a young-generation collection once every 2 MiB of received frames', () => {
    const calls: Array<Parameters<CollectGarbage>[0]> = [];
    const frameReceived = createFrameMemory((options) => void calls.push(options));
    for (let i = 0; i < 7; i++) frameReceived(256 * 1024); // 1.75 MiB
    expect(calls).toEqual([]);
    frameReceived(256 * 1024);
    expect(calls).toEqual([{ type: 'minor' }]);
    for (let i = 0; i < 16; i++) frameReceived(256 * 1024);
    expect(calls).toHaveLength(3);
  });

  it('does nothing when node runs without --expose-gc', () => {
    expect(() => createFrameMemory(undefined)(10 * 1024 * 1024)).not.toThrow();
  });
});
