// Each channel against a real server: SMTP (smtp-server in a child process), IRC (ngircd), and
// webhooks (a recording HTTP server), with the bodies each chat service reads.
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from 'irc-framework';
import { createEmailChannel } from '../../../master/notifications/email-channel.js';
import { createIrcChannel } from '../../../master/notifications/irc-channel.js';
import { createWebhookChannel } from '../../../master/notifications/webhook-channel.js';
import type { Notice } from '../../../master/notifications/notice.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver-process.js';
import { ngircdAvailable, startIrcServer, type IrcServer } from '../../support/ngircd-process.js';
import { startRecordingTarget, type RecordingTarget } from '../../support/smee-target.js';

const failing: Notice = {
  kind: 'failing', title: 'lvm is failing (build #12, pull request #7)', detail: 'o/r at abcdef123456\nstep "tempest" failed', link: 'https://ci.example.org/#/builds/12', builder: 'lvm', at: 1_700_000_000_000,
};

describe('email channel', () => {
  let smtp: SmtpReceiver | undefined;
  afterEach(async () => {
    await smtp?.stop();
    smtp = undefined;
  });

  it('sends one mail with the title as subject and the link in the body', async () => {
    smtp = await startSmtpReceiver();
    const channel = createEmailChannel({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'gatehouse <ci@example.org>', to: ['ops@example.org', 'dev@example.org'] });
    await channel.send(failing);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.from).toBe('ci@example.org');
    expect(mail!.to).toEqual(['ops@example.org', 'dev@example.org']);
    expect(mail!.data).toMatch(/^Subject: \[gatehouse\] lvm is failing \(build #12, pull request #7\)$/m);
    expect(mail!.data).toMatch(/^X-Gatehouse-Notice: failing$/m);
    expect(mail!.data).toContain('https://ci.example.org/#/builds/12');
    expect(mail!.data).toContain('step "tempest" failed');
  });

  it('throws when no server answers, so the outbox tries again', async () => {
    smtp = await startSmtpReceiver();
    const port = smtp.port;
    await smtp.stop();
    smtp = undefined;
    const channel = createEmailChannel({ host: '127.0.0.1', port, secure: false, from: 'ci@example.org', to: ['ops@example.org'] }, { timeoutMs: 2_000 });
    await expect(channel.send(failing)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.runIf(ngircdAvailable())('IRC channel', () => {
  let server: IrcServer | undefined;
  let watcher: Client | undefined;
  afterEach(async () => {
    watcher?.quit();
    watcher = undefined;
    await server?.stop();
    server = undefined;
  });

  /** A second client in the channel, to read what gatehouse says there. */
  async function watch(port: number, channel: string): Promise<string[]> {
    const heard: string[] = [];
    const client = new Client();
    watcher = client;
    client.on('message', (e: { message: string; target: string; nick: string }) => heard.push(`${e.nick} ${e.target} ${e.message}`));
    await new Promise<void>((resolve) => {
      client.on('registered', () => client.join(channel));
      client.on('join', () => resolve());
      client.connect({ host: '127.0.0.1', port, nick: 'watcher', auto_reconnect: false });
    });
    return heard;
  }

  it('joins the channel and says the title and the link', async () => {
    server = await startIrcServer();
    const heard = await watch(server.port, '#ember-csi');
    const channel = createIrcChannel({ host: '127.0.0.1', port: server.port, tls: false, nick: 'gatehouse', channel: '#ember-csi' }, { timeoutMs: 10_000 });
    await channel.send(failing);
    await expect.poll(() => heard, { timeout: 5_000 }).toEqual([
      'gatehouse #ember-csi lvm is failing (build #12, pull request #7)',
      'gatehouse #ember-csi https://ci.example.org/#/builds/12',
    ]);
  });

  it('throws when the server is not there', async () => {
    server = await startIrcServer();
    const { port } = server;
    await server.stop();
    server = undefined;
    const channel = createIrcChannel({ host: '127.0.0.1', port, tls: false, nick: 'gatehouse', channel: '#ci' }, { timeoutMs: 5_000 });
    await expect(channel.send(failing)).rejects.toThrow(/IRC: .*ECONNREFUSED|closed before/);
  });
});

describe('webhook channel', () => {
  let target: RecordingTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('posts the body each format reads: Slack/Mattermost text, Matrix text and html, the whole notice as json', async () => {
    target = await startRecordingTarget('/hook');
    const bodies: Record<string, unknown> = {};
    for (const format of ['slack', 'mattermost', 'matrix', 'json'] as const) {
      await createWebhookChannel({ url: target.url, format }).send(failing);
      bodies[format] = JSON.parse(target.requests.at(-1)!.body.toString());
    }
    expect(target.requests.every((r) => r.method === 'POST' && r.headers['content-type'] === 'application/json')).toBe(true);
    expect(bodies.slack).toEqual({ username: 'gatehouse', text: '❌ <https://ci.example.org/#/builds/12|lvm is failing (build #12, pull request #7)>\no/r at abcdef123456\nstep "tempest" failed' });
    expect(bodies.mattermost).toEqual(bodies.slack);
    expect(bodies.matrix).toMatchObject({
      text: expect.stringContaining('lvm is failing'),
      html: '❌ <a href="https://ci.example.org/#/builds/12">lvm is failing (build #12, pull request #7)</a><br>o/r at abcdef123456<br>step &quot;tempest&quot; failed',
    });
    expect(bodies.json).toMatchObject({ kind: 'failing', builder: 'lvm', link: failing.link, title: failing.title });
  });

  it('throws on an answer that is not 2xx, naming only the origin (the path may hold a token)', async () => {
    target = await startRecordingTarget('/hooks/T0KEN');
    target.respondWith(500, 'no');
    await expect(createWebhookChannel({ url: target.url, format: 'slack' }).send(failing)).rejects.toThrow(/^webhook at http:\/\/127\.0\.0\.1:\d+ answered 500$/);
  });
});
