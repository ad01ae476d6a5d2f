import { describe, expect, it } from 'vitest';
import { compareStepIds } from '../../../shared/protocol/step-order.js';

describe('step order', () => {
  it('sorts ids number by number, a group before its children, as the builder runs them', () => {
    const ids = ['10', '2.10', '2', '2.9', '1', '2.0', '3'];
    expect([...ids].sort(compareStepIds)).toEqual(['1', '2', '2.0', '2.9', '2.10', '3', '10']);
  });
});
