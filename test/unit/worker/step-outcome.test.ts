import { describe, expect, it } from 'vitest';
import { judgeOutcome, shortDuration } from '../../../worker/step-outcome.js';

describe('step outcome', () => {
  const signals = () => ({ cancel: new AbortController().signal, deadline: new AbortController().signal, buildTimeoutMs: 3 * 3_600_000, stepTimeoutMs: 300_000 });

  it('writes timeouts the way people write them', () => {
    expect(shortDuration(300_000)).toBe('5m');
    expect(shortDuration(2 * 3_600_000)).toBe('2h');
    expect(shortDuration(90 * 60_000)).toBe('90m');
    expect(shortDuration(1500)).toBe('1.5s');
    expect(shortDuration(500)).toBe('500ms');
  });

  it('maps exit codes, timeouts and kills to results', () => {
    expect(judgeOutcome({ exitCode: 0, timedOut: false, cancelled: false }, signals())).toEqual({ result: 'success' });
    expect(judgeOutcome({ exitCode: 2, timedOut: false, cancelled: false }, signals())).toEqual({ result: 'failure' });
    expect(judgeOutcome({ exitCode: null, signal: 'SIGTERM', timedOut: true, cancelled: false }, signals())).toEqual({ result: 'failure', reason: 'timed out after 5m' });
    expect(judgeOutcome({ exitCode: null, signal: 'SIGKILL', timedOut: false, cancelled: false }, signals())).toEqual({ result: 'failure', reason: 'killed by SIGKILL' });
    const deadline = new AbortController();
    deadline.abort();
    expect(judgeOutcome({ exitCode: null, timedOut: false, cancelled: true }, { ...signals(), deadline: deadline.signal })).toEqual({
      result: 'failure',
      reason: 'build timed out after 3h',
    });
  });
});
