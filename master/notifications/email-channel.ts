// Notices by mail, over SMTP (nodemailer). One connection per message: notices are few (they are
// coalesced and rate-limited), and a pooled connection would need keeping alive for hours.
// nodemailer is loaded at the first notice: a master without email never pays its memory.
import type { Config } from '../../shared/config.js';
import type { Channel } from './channel.js';
import { plainText } from './notice.js';

export type EmailSettings = NonNullable<Config['notifications']['email']>;

export function createEmailChannel(settings: EmailSettings, options: { timeoutMs?: number } = {}): Channel {
  const timeout = options.timeoutMs ?? 30_000;
  return {
    id: 'email',
    label: `email to ${settings.to.join(', ')} via ${settings.host}:${settings.port}`,
    async send(notice) {
      const { default: nodemailer } = await import('nodemailer');
      const transport = nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      });
      try {
        await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: `[gatehouse] ${notice.title}`,
          text: plainText(notice),
          headers: { 'X-Gatehouse-Notice': notice.kind, ...(notice.builder ? { 'X-Gatehouse-Builder': notice.builder } : {}) },
        });
      } finally {
        transport.close();
      }
    },
  };
}
