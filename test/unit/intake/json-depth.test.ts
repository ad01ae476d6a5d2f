import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../../master/intake/json-depth.js';
import { examplePayload } from '../../support/sign-webhook.js';

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ title: '[[[[[[{{{{{{ "\\" [[[[' }), 1)).toBe(false);
    expect(nestsDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(true);
  });

  it('passes every real GitHub payload at the limit the route uses', () => {
    for (const [event, action] of [['pull_request', 'opened'], ['push', undefined], ['issue_comment', 'created'], ['check_run', 'rerequested']] as const) {
      expect(nestsDeeperThan(JSON.stringify(examplePayload(event, action)), 64)).toBe(false);
    }
  });
});
