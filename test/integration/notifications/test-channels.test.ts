// `gatehouse notify test`'s work: a test message through each channel, one line each, exit 1 when
// any failed. Real channels: a webhook receiver that takes it, one that refuses, and real SMTP.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../../support/master-process.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { configuredChannels } from '../../../master/notifications/configured-channels.js';
import { testChannels } from '../../../master/notifications/test-channels.js';
import { parseConfig } from '../../../shared/config.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { startRecordingTarget, type RecordingTarget } from '../../support/smee-target.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver-process.js';

describe('notify test', () => {
  const targets: RecordingTarget[] = [];
  let smtp: SmtpReceiver | undefined;
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((t) => t.close()));
    await smtp?.stop();
    smtp = undefined;
  });

  it('sends through every configured channel and says which failed', async () => {
    const good = await startRecordingTarget('/good');
    const bad = await startRecordingTarget('/bad');
    targets.push(good, bad);
    bad.respondWith(404, 'no such hook');
    smtp = await startSmtpReceiver();
    const { config } = parseConfig(
      testConfig({ notifications: { email: { host: '127.0.0.1', port: smtp.port, from: 'ci@example.org', to: ['ops@example.org'] }, webhooks: [{ url: good.url, format: 'matrix' }, { url: { env: 'BAD_HOOK' } }] } }),
      'test config', { env: { ...TEST_SECRETS, BAD_HOOK: bad.url } },
    );
    const lines: string[] = [];
    const code = await testChannels(configuredChannels(config.notifications), (l) => lines.push(l));
    expect(code).toBe(1);
    const [goodOrigin, badOrigin] = [new URL(good.url).origin, new URL(bad.url).origin];
    expect(lines).toEqual([
      `ok      email to ops@example.org via 127.0.0.1:${smtp.port}`,
      `ok      matrix webhook at ${goodOrigin}`,
      `FAILED  json webhook at ${badOrigin}: webhook at ${badOrigin} answered 404`,
    ]);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.data).toContain('Subject: [gatehouse] gatehouse notify test: this channel works');
    expect(JSON.parse(good.requests[0]!.body.toString())).toMatchObject({ text: expect.stringContaining('this channel works') });
  });

  it('fails when no channel is configured', async () => {
    const lines: string[] = [];
    expect(await testChannels([], (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual(['no notification channel is configured (notifications.email, notifications.irc, notifications.webhooks)']);
  });

  it('runs as `gatehouse notify test` (from dist/: run `npm run build` first), exit 0 when every channel took it', async () => {
    const target = await startRecordingTarget('/hook');
    targets.push(target);
    const dir = makeTempDir('gatehouse-notify-cli-');
    try {
      const file = path.join(dir.path, 'gatehouse.json');
      writeFileSync(file, JSON.stringify(testConfig({ notifications: { webhooks: [{ url: { env: 'HOOK_URL' }, format: 'mattermost' }] } })));
      const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'notify', 'test', '--config', file], { env: { ...process.env, ...TEST_SECRETS, HOOK_URL: target.url } });
      expect(stdout).toBe(`ok      mattermost webhook at ${new URL(target.url).origin}\n`);
      expect(target.requests).toHaveLength(1);
    } finally {
      dir.remove();
    }
  });
});
