import { describe, expect, it } from 'vitest';
import { hostArch, packageVersion } from '../../../worker/host-info.js';

describe('host info', () => {
  it('maps node arch names to image arch names', () => {
    expect(hostArch('x64', 'LE')).toBe('x86_64');
    expect(hostArch('ppc64', 'LE')).toBe('ppc64le');
    expect(hostArch('arm64', 'LE')).toBe('aarch64');
    expect(hostArch('s390x', 'BE')).toBe('s390x');
  });

  it('reads the version from package.json', async () => {
    const pkg = (await import('../../../package.json', { with: { type: 'json' } })).default as { version: string };
    expect(packageVersion()).toBe(pkg.version);
  });
});
