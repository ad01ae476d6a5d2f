import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../../shared/config.js';
import { startSummary } from '../../../cli/start-summary.js';
import { ensureGeneratedSecrets } from '../../../cli/generated-secrets.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';

describe('the start summary', () => {
  it('says where each quick-start secret came from, and that the environment wins over the file', () => {
    const dir = makeTempDir();
    try {
      const env: NodeJS.ProcessEnv = { GATEHOUSE_WEBHOOK_SECRET: 'from-env' };
      // A file left by an earlier start, which the environment overrides.
      const first = ensureGeneratedSecrets(dir.path, ['GATEHOUSE_WORKER_SECRET'], {});
      writeFileSync(path.join(dir.path, 'secrets', 'GATEHOUSE_WEBHOOK_SECRET'), 'older');
      const sources = [...ensureGeneratedSecrets(dir.path, ['GATEHOUSE_WEBHOOK_SECRET', 'GATEHOUSE_ADMIN_TOKEN'], env), ...first];
      expect(env.GATEHOUSE_WEBHOOK_SECRET).toBe('from-env');
      expect(sources.map((s) => [s.name, s.from, s.generated])).toEqual([
        ['GATEHOUSE_WEBHOOK_SECRET', 'environment', false],
        ['GATEHOUSE_ADMIN_TOKEN', 'file', true],
        ['GATEHOUSE_WORKER_SECRET', 'file', true],
      ]);
      const { config } = parseConfig(testConfig(), 'test', { env: TEST_SECRETS });
      const text = startSummary({ config, address: 'http://0.0.0.0:8010', secretSources: sources });
      expect(text).toContain('UI and API     http://127.0.0.1:8010/');
      expect(text).toContain(`webhook secret $GATEHOUSE_WEBHOOK_SECRET from the environment (it wins over ${path.join(dir.path, 'secrets', 'GATEHOUSE_WEBHOOK_SECRET')})`);
      expect(text).toContain(`admin token    ${path.join(dir.path, 'secrets', 'GATEHOUSE_ADMIN_TOKEN')} (generated now); $GATEHOUSE_ADMIN_TOKEN in the environment would win`);
      expect(text).toContain('statuses       off: no github.token or github.app');
      expect(text).not.toContain('from-env');
    } finally {
      dir.remove();
    }
  });

  it('warns that statuses will have no Details link when neither logs nor a public URL is set', () => {
    const withToken = { ...testConfig(), github: { ...testConfig().github, token: { env: 'GH_TOKEN' } } };
    const { config } = parseConfig(withToken, 'test', { env: TEST_SECRETS });
    const text = startSummary({ config, address: 'http://127.0.0.1:9000' });
    expect(text).toContain('statuses       posted to https://api.github.com with a token');
    expect(text).toContain('details link   none: statuses will have no Details link');
    const { config: linked } = parseConfig({ ...withToken, http: { ...withToken.http, publicUrl: 'https://ci.example.com' } }, 'test', { env: TEST_SECRETS });
    expect(startSummary({ config: linked, address: 'http://127.0.0.1:9000' })).toContain('details link   this UI (https://ci.example.com)');
    // A logs remote without a web page gives no link either; a GitHub one does.
    const { config: localLogs } = parseConfig({ ...withToken, logs: { remote: '/srv/logs.git' } }, 'test', { env: TEST_SECRETS });
    expect(startSummary({ config: localLogs, address: 'http://127.0.0.1:9000' })).toContain('details link   none: statuses will have no Details link');
    const { config: githubLogs } = parseConfig({ ...withToken, logs: { remote: 'git@github.com:acme/ci-logs.git' } }, 'test', { env: TEST_SECRETS });
    expect(startSummary({ config: githubLogs, address: 'http://127.0.0.1:9000' })).toContain('details link   the logs branch ci-logs on https://github.com/acme/ci-logs');
  });
});

describe('the Details link line with several logs locations', () => {
  it('names, per location, the repositories and where their links open', () => {
    const base = testConfig();
    const raw = {
      ...base,
      github: { webhookSecret: base.github.webhookSecret, token: { env: 'GH_TOKEN' }, repos: [{ repo: 'octo/one' }, { repo: 'octo/two', logs: { remote: '/srv/git/two-logs.git' } }] },
      logs: { remote: 'git@github.com:octo/ci-logs.git' },
    };
    const { config } = parseConfig(raw, 'test', { env: TEST_SECRETS });
    const text = startSummary({ config, address: 'http://127.0.0.1:9000' });
    expect(text).toContain('details link   octo/one: the logs branch ci-logs on https://github.com/octo/ci-logs');
    expect(text).toContain('details link   octo/two: none: statuses will have no Details link');
    const { config: withUi } = parseConfig({ ...raw, http: { ...raw.http, publicUrl: 'https://ci.example.com' } }, 'test', { env: TEST_SECRETS });
    expect(startSummary({ config: withUi, address: 'http://127.0.0.1:9000' })).toContain('details link   octo/two: this UI (https://ci.example.com)');
  });
});
