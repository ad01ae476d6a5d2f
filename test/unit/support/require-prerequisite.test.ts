// The rule for a missing test prerequisite: skip with the reason outside CI, fail in CI.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inCi, requirePrerequisite } from '../../support/require-prerequisite.js';

describe('requirePrerequisite', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lets the tests run when nothing is missing, in CI or not', () => {
    expect(requirePrerequisite('UI tests', undefined, { CI: 'true' })).toBe(true);
    expect(requirePrerequisite('UI tests', undefined, {})).toBe(true);
  });

  it('outside CI: skips and prints why', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requirePrerequisite('UI tests', 'no Chromium at /usr/bin/chromium', {})).toBe(false);
    expect(warn).toHaveBeenCalledWith('UI tests skipped: no Chromium at /usr/bin/chromium');
  });

  it('in CI: fails with the reason instead of skipping', () => {
    expect(() => requirePrerequisite('VM tests', 'libvirtd does not answer', { CI: 'true' })).toThrow(
      'VM tests: libvirtd does not answer. In CI (CI=true) a missing prerequisite fails the run instead of skipping.',
    );
  });

  it('reads CI as CI services set it', () => {
    for (const value of ['true', 'TRUE', '1', 'yes']) expect(inCi({ CI: value }), value).toBe(true);
    for (const value of ['', 'false', '0']) expect(inCi({ CI: value }), value).toBe(false);
    expect(inCi({})).toBe(false);
  });
});
