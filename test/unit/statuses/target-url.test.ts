import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../shared/config.js';
import { targetUrlFor } from '../../../master/statuses/target-url.js';
import { logsBranchUrl, logsWebUrl } from '../../../master/logs-branch/logs-web-url.js';
import { buildFolder, stepLogName } from '../../../master/logs-branch/logs-folder.js';
import type { BuildRow } from '../../../master/store/build-store.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';

const config = (over: Partial<ConfigInput>) => parseConfig(testConfig(over), 't', { env: TEST_SECRETS }).config;
const build = { id: 9, builder: 'lvm', pr: 12, sha: '0123456789abcdef'.padEnd(40, '0'), number: 4 } as BuildRow;

describe('links', () => {
  it('derives the logs repository page from a GitHub remote, or takes webUrl', () => {
    const web = (remote: string, webUrl?: string) => logsWebUrl({ remote, branch: 'ci-logs', webUrl });
    expect(web('https://github.com/acme/ci-logs.git')).toBe('https://github.com/acme/ci-logs');
    expect(web('git@github.com:acme/ci-logs.git')).toBe('https://github.com/acme/ci-logs');
    expect(web('ssh://git@github.com/acme/ci-logs')).toBe('https://github.com/acme/ci-logs');
    expect(web('/srv/git/logs.git')).toBeUndefined();
    expect(web('/srv/git/logs.git', 'https://git.example.com/logs/')).toBe('https://git.example.com/logs');
  });

  it('the UI and the statuses link the same branch page, for every remote form and for webUrl', () => {
    const branch = (remote: string, webUrl?: string) => logsBranchUrl({ remote, branch: 'ci/logs', webUrl });
    // The UI once derived its own link with another pattern, which an ssh:// remote did not match.
    expect(branch('ssh://git@github.com/acme/ci-logs.git')).toBe('https://github.com/acme/ci-logs/tree/ci/logs');
    expect(branch('git@github.com:acme/ci-logs.git')).toBe('https://github.com/acme/ci-logs/tree/ci/logs');
    expect(branch('/srv/git/logs.git', 'https://git.example.com/logs')).toBe('https://git.example.com/logs/tree/ci/logs');
    expect(branch('/srv/git/logs.git')).toBeUndefined();
  });

  it('the folder on the logs branch, else the UI, else nothing', () => {
    const logs = { remote: 'https://github.com/acme/ci-logs.git', branch: 'ci/logs' };
    const ui = { port: 0, publicUrl: 'http://ci.example.com:8010/' };
    expect(targetUrlFor(config({ logs, http: ui }), build, true)).toBe('https://github.com/acme/ci-logs/tree/ci/logs/lvm/12-0123456-4');
    expect(targetUrlFor(config({ logs, http: ui }), build, false)).toBe('http://ci.example.com:8010/#/builds/9');
    expect(targetUrlFor(config({ http: ui }), build, true)).toBe('http://ci.example.com:8010/#/builds/9');
    expect(targetUrlFor(config({ logs: { remote: '/srv/logs.git' } }), build, true)).toBeUndefined();
    expect(targetUrlFor(config({}), build, true)).toBeUndefined();
  });

  it("each repository's builds link to its own logs location; a repository no longer served, to the top-level one", () => {
    const two = config({
      logs: { remote: 'https://github.com/acme/ci-logs.git', branch: 'ci-logs' },
      github: { webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, repos: [{ repo: 'acme/one' }, { repo: 'acme/two', logs: { remote: 'git@github.com:acme/two-logs.git', branch: 'logs' } }] },
    });
    expect(targetUrlFor(two, { ...build, repo: 'acme/one' }, true)).toBe('https://github.com/acme/ci-logs/tree/ci-logs/lvm/12-0123456-4');
    expect(targetUrlFor(two, { ...build, repo: 'ACME/two' }, true)).toBe('https://github.com/acme/two-logs/tree/logs/lvm/12-0123456-4');
    expect(targetUrlFor(two, { ...build, repo: 'acme/gone' }, true)).toBe('https://github.com/acme/ci-logs/tree/ci-logs/lvm/12-0123456-4');
    // Two repositories on one location: the folder names say which.
    const shared = config({
      logs: { remote: 'https://github.com/acme/ci-logs.git', branch: 'ci-logs' },
      github: { webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, repos: [{ repo: 'acme/one' }, { repo: 'acme/two' }] },
    });
    expect(targetUrlFor(shared, { ...build, repo: 'acme/two' }, true)).toBe('https://github.com/acme/ci-logs/tree/ci-logs/lvm/acme.two-12-0123456-4');
  });

  it('names folders and log files', () => {
    const alone = { repos: ['acme/one'] };
    expect(buildFolder({ ...build, repo: 'acme/one' }, alone)).toBe('lvm/12-0123456-4');
    expect(buildFolder({ ...build, repo: 'acme/one', pr: null }, alone)).toBe('lvm/push-0123456-4');
    expect(buildFolder({ ...build, repo: 'acme/one' }, { repos: ['acme/one', 'acme/two'] })).toBe('lvm/acme.one-12-0123456-4');
    expect(stepLogName(0, 'build')).toBe('01-build.log');
    expect(stepLogName(11, 'run tests/all')).toBe('12-run_tests_all.log');
  });
});
