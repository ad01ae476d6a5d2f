import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config.js';
import { builderServes, repositoryOf } from '../../../master/repos/repository-of.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';

const { config } = parseConfig(testConfig({
  github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, cloneUrl: '/srv/first.git', repos: [{ repo: 'octo/two', cloneUrl: '/srv/two.git', trust: { gate: false } }] },
}), 'cfg', { env: TEST_SECRETS });

describe('repositoryOf', () => {
  it('finds a row\'s repository whatever its case; no row or no repository means the first', () => {
    expect(repositoryOf(config, { repo: 'OCTO/TWO' })).toMatchObject({ repo: 'octo/two', cloneUrl: '/srv/two.git', trustGate: false });
    expect(repositoryOf(config, { repo: null }).repo).toBe(TEST_REPO);
    expect(repositoryOf(config).cloneUrl).toBe('/srv/first.git');
  });

  it('gives a repository no longer served the github section\'s settings under its own name', () => {
    expect(repositoryOf(config, { repo: 'gone/away' })).toEqual({ repo: 'gone/away', cloneUrl: '/srv/first.git', trustGate: true, trusted: config.github.trusted, skip: [] });
  });

  it('a builder without repos serves all; with repos, those (any case)', () => {
    expect(builderServes({ repos: undefined }, 'octo/two')).toBe(true);
    expect(builderServes({ repos: ['Octo/Two'] }, 'octo/two')).toBe(true);
    expect(builderServes({ repos: ['octo/two'] }, TEST_REPO)).toBe(false);
  });
});
