import { describe, expect, it } from 'vitest';
import { cutDescription, githubAuthFromConfig } from '../../../master/github/github-client.js';
import type { Config } from '../../../shared/config/load-config.js';

describe('cutDescription', () => {
  it('keeps 140 characters, ends a cut one with an ellipsis, and never splits an emoji', () => {
    expect(cutDescription('Build done.')).toBe('Build done.');
    expect(cutDescription('x'.repeat(140))).toBe('x'.repeat(140));
    const cut = cutDescription('🚀'.repeat(200));
    expect([...cut]).toHaveLength(140);
    expect(cut.endsWith('🚀…')).toBe(true);
  });
});

describe('githubAuthFromConfig', () => {
  const base = { repo: 'a/b', apiUrl: 'https://api.github.com' } as Config['github'];
  it('prefers a token, then an app, else nothing', () => {
    const app = { appId: 1, privateKey: 'KEY', installationId: 2 };
    expect(githubAuthFromConfig({ ...base, token: 't', app })).toEqual({ apiUrl: base.apiUrl, token: 't' });
    expect(githubAuthFromConfig({ ...base, app })).toEqual({ apiUrl: base.apiUrl, app });
    expect(githubAuthFromConfig(base)).toBeUndefined();
  });
});
