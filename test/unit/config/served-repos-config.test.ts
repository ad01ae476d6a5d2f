// github.repos beside github.repo, builders' repos, and skip strings that mean "docs steps only".
import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '../../../shared/config.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';
import type { ConfigInput } from '../../../shared/config.js';

const secret = { env: 'GH_WEBHOOK_SECRET' };
const step = [{ name: 's', run: 'true' }];
const parse = (input: ConfigInput) => parseConfig(input, 'cfg', { env: TEST_SECRETS }).config;

function problems(input: unknown): string[] {
  try {
    parseConfig(input, 'cfg', { env: TEST_SECRETS });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('served repositories in the config', () => {
  it('a single github.repo is the one served repository, with the section settings', () => {
    const config = parse(testConfig({ github: { repo: TEST_REPO, webhookSecret: secret, cloneUrl: '/srv/git/hello.git', trustGate: false } }));
    expect(config.github.repo).toBe(TEST_REPO);
    expect(config.github.repos).toEqual([
      { repo: TEST_REPO, cloneUrl: '/srv/git/hello.git', trustGate: false, trusted: { associations: ['OWNER', 'MEMBER', 'COLLABORATOR'], users: [], orgs: [] }, skip: [] },
    ]);
  });

  it('github.repos lists several, each filling in what it leaves out from the section; github.repo comes first', () => {
    const config = parse(testConfig({
      github: {
        repo: TEST_REPO, webhookSecret: secret, trusted: { users: ['ally'] },
        repos: [
          { repo: 'octo/one', cloneUrl: 'https://git.example/one.git', trust: { gate: false, users: ['bob'] }, skip: [{ match: '[CI:DOCS]', then: 'docs' }] },
          { repo: 'octo/two' },
        ],
      },
    }));
    expect(config.github.repos.map((r) => [r.repo, r.cloneUrl, r.trustGate, r.trusted.users, r.skip])).toEqual([
      [TEST_REPO, undefined, true, ['ally'], []],
      ['octo/one', 'https://git.example/one.git', false, ['bob'], [{ match: '[CI:DOCS]', then: 'docs' }]],
      ['octo/two', undefined, true, ['ally'], []],
    ]);
    expect(config.github.repo).toBe(TEST_REPO);
  });

  it('github.repos alone works, and its first is github.repo', () => {
    const config = parse(testConfig({ github: { webhookSecret: secret, repos: [{ repo: 'octo/one' }, { repo: 'octo/two' }] } }));
    expect(config.github.repo).toBe('octo/one');
    expect(config.github.repos.map((r) => r.repo)).toEqual(['octo/one', 'octo/two']);
  });

  it('names the key of a missing or repeated repository, and of a builder repository that is not served', () => {
    expect(problems(testConfig({ github: { webhookSecret: secret } }))).toEqual(['github.repo: expected a repository as "owner/name" (or a list in github.repos)']);
    expect(problems(testConfig({ github: { webhookSecret: secret, repos: [{ repo: 'octo/one' }, { repo: 'Octo/One' }] } })))
      .toEqual(['github.repos[1].repo: duplicate repository "Octo/One" (also github.repos[0])']);
    expect(problems(testConfig({ github: { repo: TEST_REPO, webhookSecret: secret }, builders: [{ name: 'a', repos: ['octo/other'], steps: step }] })))
      .toEqual([`builders[0].repos[0]: expected one of the served repositories (${TEST_REPO}), got "octo/other"`]);
    expect(problems(testConfig({ github: { webhookSecret: secret, repos: [{ repo: 'octo/one', skip: [{ match: 'x', then: 'run' }] }] } as never })))
      .toEqual(['github.repos[0].skip[0].then: expected one of "skip", "docs", got "run"']);
  });

  it('skip strings are plain (skip) or say what they mean; steps say whether they run in a docs-only build', () => {
    const config = parse(testConfig({ builders: [{ name: 'a', triggers: { skipTitle: ['[skip ci]', { match: '[CI:DOCS]', then: 'docs' }] }, steps: [{ name: 'lint', run: 'true', docs: true }, { name: 'test', run: 'true' }] }] }));
    const b = config.builders[0];
    expect(b?.triggers.skipTitle).toEqual([{ match: '[skip ci]', then: 'skip' }, { match: '[CI:DOCS]', then: 'docs' }]);
    expect(b?.steps.map((s) => s.docs)).toEqual([true, false]);
  });

  it('github.repos[].logs overrides where its build folders go; what it leaves out comes from the logs section', () => {
    const config = parse(testConfig({
      logs: { remote: 'https://github.com/octo/ci-logs.git', branch: 'ci-logs', webUrl: 'https://logs.example.com/ci' },
      github: {
        webhookSecret: secret,
        repos: [
          { repo: 'octo/one' },
          { repo: 'octo/two', logs: { remote: '/srv/git/two-logs.git' } },
          { repo: 'octo/three', logs: { branch: 'three-logs' } },
        ],
      },
    }));
    expect(config.github.repos.map((r) => [r.repo, r.logs])).toEqual([
      ['octo/one', { remote: 'https://github.com/octo/ci-logs.git', branch: 'ci-logs', webUrl: 'https://logs.example.com/ci' }],
      // Another remote is another web page: the section's webUrl does not carry over.
      ['octo/two', { remote: '/srv/git/two-logs.git', branch: 'ci-logs' }],
      ['octo/three', { remote: 'https://github.com/octo/ci-logs.git', branch: 'three-logs', webUrl: 'https://logs.example.com/ci' }],
    ]);
  });

  it('names the key of a logs override without a logs section, with an unknown key, or with a second web URL for one remote and branch', () => {
    expect(problems(testConfig({ github: { webhookSecret: secret, repos: [{ repo: 'octo/one', logs: { remote: '/srv/logs.git' } }] } })))
      .toEqual(['github.repos[0].logs: expected a top-level logs section as well (keepDays and the keys left out here come from it)']);
    expect(problems(testConfig({ logs: { remote: '/srv/logs.git' }, github: { webhookSecret: secret, repos: [{ repo: 'octo/one', logs: { remote: '/srv/other.git', keepDays: 3 } }] } } as never)))
      .toEqual([expect.stringMatching(/^github\.repos\[0\]\.logs: .*keepDays/)]);
    expect(problems(testConfig({ logs: { remote: '/srv/logs.git' }, github: { webhookSecret: secret, repos: [{ repo: 'octo/one', logs: { webUrl: 'not a url' } }] } }))[0])
      .toMatch(/^github\.repos\[0\]\.logs\.webUrl: .*URL/i);
    expect(problems(testConfig({
      logs: { remote: '/srv/logs.git', webUrl: 'https://logs.example.com' },
      github: { webhookSecret: secret, repos: [{ repo: 'octo/one', logs: { webUrl: 'https://elsewhere.example.com' } }, { repo: 'octo/two', logs: { remote: '/srv/two.git', webUrl: 'https://two.example.com' } }, { repo: 'octo/three', logs: { remote: '/srv/two.git' } }] },
    }))).toEqual([
      'github.repos[0].logs.webUrl: expected the same web URL as logs.webUrl (same remote and branch), got "https://elsewhere.example.com"',
      'github.repos[2].logs.webUrl: expected the same web URL as github.repos[1].logs.webUrl (same remote and branch), got none',
    ]);
  });
});
