import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitOnSignals } from '../../../cli/shutdown.js';
import { silentLogger } from '../../../shared/logger.js';

describe('exitOnSignals', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setUp(close: () => Promise<void>) {
    const signals = new EventEmitter();
    const exits: number[] = [];
    exitOnSignals({ close, timeoutMs: 5_000, logger: silentLogger, exit: (code) => void exits.push(code), signals });
    return { signals, exits };
  }

  it('exits 0 once close is done, and leaves no deadline behind', async () => {
    const { signals, exits } = setUp(async () => {});
    signals.emit('SIGTERM', 'SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(exits).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('exits 1 at the deadline when close hangs', async () => {
    const { signals, exits } = setUp(() => new Promise(() => {}));
    signals.emit('SIGINT', 'SIGINT');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
  });

  it('exits 1 at once on a second signal', async () => {
    const { signals, exits } = setUp(() => new Promise(() => {}));
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([1]);
  });

  it('exits 1 when close fails', async () => {
    const { signals, exits } = setUp(async () => {
      throw new Error('stuck');
    });
    signals.emit('SIGTERM', 'SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(exits).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
