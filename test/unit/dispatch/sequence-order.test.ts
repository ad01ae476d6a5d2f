import { describe, expect, it } from 'vitest';
import { sequenceOrder } from '../../../master/dispatch/sequence-order.js';

describe('sequenceOrder', () => {
  it('applies N only right after N−1', () => {
    expect(sequenceOrder(1, 0, true)).toBe('next');
    expect(sequenceOrder(8, 7, false)).toBe('next');
  });

  it('calls a seq at or below the last stored a duplicate, whatever the session', () => {
    expect(sequenceOrder(7, 7, false)).toBe('duplicate');
    expect(sequenceOrder(3, 7, true)).toBe('duplicate');
  });

  it('refuses a seq past a gap inside a session: an earlier one was not stored', () => {
    expect(sequenceOrder(9, 7, false)).toBe('gap');
    expect(sequenceOrder(2, 0, false)).toBe('gap');
  });

  it('takes a gap as the first message of a session as lost for good (the worker resends its oldest unacked first)', () => {
    expect(sequenceOrder(9, 7, true)).toBe('lost');
  });
});
