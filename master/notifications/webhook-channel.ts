// Notices as a JSON POST. Chat services each read their own shape: Slack's and Mattermost's
// incoming webhooks take { text } (Slack-style mrkdwn links), a Matrix hookshot generic webhook
// takes { text, html }, and `json` sends the notice itself for anything else to read.
import { createHash } from 'node:crypto';
import type { Config } from '../../shared/config.js';
import type { Channel } from './channel.js';
import { isGoodNews, plainText, type Notice } from './notice.js';

export type WebhookSettings = Config['notifications']['webhooks'][number];
export type WebhookFormat = WebhookSettings['format'];

/** The body a format wants for a notice. */
export function webhookBody(format: WebhookFormat, notice: Notice): Record<string, unknown> {
  const mark = isGoodNews(notice.kind) ? '✅' : '❌';
  switch (format) {
    case 'slack':
    case 'mattermost': {
      const title = notice.link ? `<${notice.link}|${escapeSlack(notice.title)}>` : escapeSlack(notice.title);
      return { text: [`${mark} ${title}`, notice.detail && escapeSlack(notice.detail)].filter(Boolean).join('\n'), username: 'gatehouse' };
    }
    case 'matrix': {
      const title = notice.link ? `<a href="${escapeHtml(notice.link)}">${escapeHtml(notice.title)}</a>` : escapeHtml(notice.title);
      const detail = notice.detail ? `<br>${escapeHtml(notice.detail).replace(/\n/g, '<br>')}` : '';
      return { text: `${mark} ${plainText(notice)}`, html: `${mark} ${title}${detail}`, username: 'gatehouse' };
    }
    case 'json':
      return { ...notice, text: plainText(notice) };
  }
}

/** The outbox's stable id of a webhook, from its URL (which may be a secret: only a hash of it is kept). */
export function webhookId(url: string): string {
  return `webhook:${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

export function createWebhookChannel(settings: WebhookSettings, options: { timeoutMs?: number } = {}): Channel {
  const timeout = options.timeoutMs ?? 30_000;
  const { origin } = new URL(settings.url);
  return {
    id: webhookId(settings.url),
    // The origin only: a path may carry the hook's token.
    label: `${settings.format} webhook at ${origin}`,
    async send(notice) {
      const response = await fetch(settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'gatehouse' },
        body: JSON.stringify(webhookBody(settings.format, notice)),
        signal: AbortSignal.timeout(timeout),
        redirect: 'error',
      }).catch((error: unknown) => {
        throw new Error(`webhook at ${origin}: ${(error as Error).message}`);
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`webhook at ${origin} answered ${response.status}`);
    },
  };
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeHtml(text: string): string {
  return escapeSlack(text).replace(/"/g, '&quot;');
}
