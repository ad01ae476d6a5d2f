// The notifications section: defaults, and mistakes named by key with what was expected.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { configProblems } from '../../support/config-problems.js';

const problems = configProblems;

describe('notifications config', () => {
  it('has no channel and production timings by default', () => {
    const { config } = parseConfig(testConfig(), 'cfg', { env: TEST_SECRETS });
    expect(config.notifications).toEqual({ minInterval: 600_000, reportingFailingAfter: 900_000, giveUpAfter: 86_400_000, webhooks: [] });
  });

  it('fills in each channel\'s defaults and resolves its secrets', () => {
    const { config, secrets } = parseConfig(testConfig({
      notifications: {
        email: { host: 'smtp.example.org', user: 'ci', password: { env: 'SMTP_PASSWORD' }, from: 'ci@example.org', to: ['ops@example.org'] },
        irc: { host: 'irc.oftc.net', channel: '#openstack-cinder' },
        webhooks: [{ url: { env: 'SLACK_URL' }, format: 'slack' }, { url: 'https://hooks.example.org/x' }],
      },
    }), 'cfg', { env: { ...TEST_SECRETS, SMTP_PASSWORD: 'pw', SLACK_URL: 'https://hooks.slack.com/services/T/B/X' } });
    expect(config.notifications.email).toMatchObject({ port: 587, secure: false, password: 'pw' });
    expect(config.notifications.irc).toEqual({ host: 'irc.oftc.net', port: 6697, tls: true, nick: 'gatehouse', channel: '#openstack-cinder' });
    expect(config.notifications.webhooks).toEqual([{ url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' }, { url: 'https://hooks.example.org/x', format: 'json' }]);
    expect(secrets).toEqual(expect.arrayContaining(['pw', 'https://hooks.slack.com/services/T/B/X']));
  });

  it('names the key and what was expected', () => {
    expect(problems(testConfig({
      notifications: {
        minInterval: 'often',
        email: { host: 'smtp', from: 'ci@example.org', to: [] },
        irc: { host: 'irc', channel: 'cinder', nick: '1bad' },
        webhooks: [{ url: 'hooks.example.org', format: 'teams' } as never],
      },
    }))).toEqual([
      'notifications.minInterval: expected a duration like "90m", got "often"',
      'notifications.email.to: expected at least 1 item, got []',
      'notifications.irc.nick: expected an IRC nickname, got "1bad"',
      'notifications.irc.channel: expected an IRC channel such as "#ci", got "cinder"',
      'notifications.webhooks[0].url: expected an http(s) URL, or a secret reference such as { env: \'SLACK_HOOK_URL\' }, got "hooks.example.org"',
      'notifications.webhooks[0].format: expected one of "json", "slack", "mattermost", "matrix", got "teams"',
    ]);
    expect(problems(testConfig({ notifications: { email: { host: 'smtp', from: 'ci@example.org', to: ['a@b'], password: 'literal' as never } } }))[0]).toMatch(/^notifications\.email\.password: expected a secret reference/);
  });
});
