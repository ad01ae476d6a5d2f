import { describe, expect, it } from 'vitest';
import { parseCommentCommands } from '../../../master/triggers/parse-comment-commands.js';
import { findSkipString, skipStringsFor } from '../../../master/triggers/skip-strings.js';
import { resultAfterCancel } from '../../../master/triggers/cancel-result.js';

describe('comment commands', () => {
  it('reads a command alone, with a builder, and with --force in either place', () => {
    const body = '/retest\n/retest lvm\n/retest lvm --force\n/retest --force ceph\n/retest --force\n> /retest quoted\n/retest a b\nrecheck';
    expect(parseCommentCommands(body, ['/retest', 'recheck'])).toEqual([
      { command: '/retest', target: null, force: false },
      { command: '/retest', target: 'lvm', force: false },
      { command: '/retest', target: 'lvm', force: true },
      { command: '/retest', target: 'ceph', force: true },
      { command: '/retest', target: null, force: true },
      { command: 'recheck', target: null, force: false },
    ]);
  });
});

describe('skip strings', () => {
  const builder = { triggers: { skipTitle: [{ match: '[CI:DOCS]', then: 'skip' as const }, { match: '[skip ci]', then: 'skip' as const }] } };

  it('a repository\'s string replaces the builder\'s of the same match (any case) and adds the others', () => {
    const strings = skipStringsFor(builder, { skip: [{ match: '[ci:docs]', then: 'docs' }, { match: '[no ci]', then: 'skip' }] });
    expect(strings).toEqual([{ match: '[skip ci]', then: 'skip' }, { match: '[ci:docs]', then: 'docs' }, { match: '[no ci]', then: 'skip' }]);
    expect(findSkipString(strings, 'Fix typo [CI:DOCS]')).toEqual({ match: '[ci:docs]', then: 'docs' });
    expect(findSkipString(strings, 'A real change')).toBeUndefined();
    expect(findSkipString(strings, null)).toBeUndefined();
  });
});

describe('the result of a cancelled build', () => {
  it('is skipped when the cancel said "skipped:", and what the worker said otherwise', () => {
    expect(resultAfterCancel('cancelled', 'skipped: label no_unit added')).toEqual({ result: 'skipped', reason: 'skipped: label no_unit added' });
    expect(resultAfterCancel('cancelled', 'cancelled through the API')).toEqual({ result: 'cancelled' });
    expect(resultAfterCancel('success', 'skipped: label no_unit added')).toEqual({ result: 'success' });
  });
});
