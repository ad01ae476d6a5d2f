// Sends what the notification outbox holds, in the background. Rows are taken per (channel, topic):
// every pending row of a group goes out as one message (coalesce), and a group that sent a message
// less than `minIntervalMs` ago waits (rate limit): a builder flapping fifty times in an hour makes
// a handful of messages, each saying what happened since the one before. A message a channel did
// not take is retried with backoff until its oldest row is `giveUpAfterMs` old, then given up.
// Channels are independent: a dead SMTP server does not hold back IRC.
// A restart loses nothing (rows are written before anything is sent) and repeats nothing that was
// marked sent; only a message cut off between its channel taking it and the mark may go twice.
import type { Logger } from '../../shared/logger.js';
import type { NotificationRow, NotificationStore, PendingGroup } from '../store/notification-store.js';
import { retryDelay, DEFAULT_RETRY, type RetryPolicy } from '../retry-delay.js';
import { backgroundDrain } from '../background-drain.js';
import type { Channel } from './channel.js';
import { coalesce, type Notice } from './notice.js';

export interface NotificationSenderDeps {
  outbox: NotificationStore;
  channels: readonly Channel[];
  logger: Logger;
  now: () => number;
  minIntervalMs: number;
  giveUpAfterMs: number;
  retry?: RetryPolicy;
}

export function createNotificationSender(deps: NotificationSenderDeps) {
  const { outbox, logger, now, minIntervalMs } = deps;
  const policy = deps.retry ?? DEFAULT_RETRY;
  const channels = new Map(deps.channels.map((c) => [c.id, c]));
  const dueAt = (g: PendingGroup) => Math.max(g.retryAt, g.lastSentAt === null ? 0 : g.lastSentAt + minIntervalMs);
  const drain = backgroundDrain('notification sender', pass, { now, logger });
  const { record } = drain;

  async function sendGroup(group: PendingGroup): Promise<void> {
    const rows = outbox.pendingOf(group.channel, group.topic);
    const ids = rows.map((r) => r.id);
    const channel = channels.get(group.channel);
    if (!channel) return outbox.markFailed(ids, 'the channel is no longer configured');
    const notice = coalesce(rows.map((r) => JSON.parse(r.notice) as Notice));
    try {
      await channel.send(notice);
    } catch (error) {
      record(() => failed(channel, rows, (error as Error).message));
      return;
    }
    record(() => outbox.markSent(ids));
    logger.info({ channel: channel.label, topic: group.topic, events: rows.length }, 'notification sent');
  }

  function failed(channel: Channel, rows: NotificationRow[], message: string): void {
    const ids = rows.map((r) => r.id);
    const oldest = Math.min(...rows.map((r) => r.created_at));
    if (now() - oldest >= deps.giveUpAfterMs) {
      outbox.markFailed(ids, message);
      logger.error({ channel: channel.label, topic: rows[0]?.topic, err: message }, 'notification given up');
      return;
    }
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    const at = now() + retryDelay(attempts, policy);
    outbox.markRetry(ids, at, message);
    logger.warn({ channel: channel.label, topic: rows[0]?.topic, attempt: attempts, retryInMs: at - now(), err: message }, 'notification not sent; will retry');
  }

  async function pass(): Promise<void> {
    const due = outbox.pendingGroups().filter((g) => dueAt(g) <= now());
    const byChannel = new Map<string, PendingGroup[]>();
    for (const g of due) byChannel.set(g.channel, [...(byChannel.get(g.channel) ?? []), g]);
    await Promise.all(
      [...byChannel.values()].map(async (groups) => {
        for (const group of groups) if (!drain.closed) await sendGroup(group);
      }),
    );
    if (drain.closed) return;
    const next = Math.min(...outbox.pendingGroups().map(dueAt));
    if (Number.isFinite(next)) drain.schedule(next);
  }

  return {
    /** Send what is due, now (in the background). */
    wake: drain.wake,
    /** Stop; waits up to `waitMs` for messages in flight. */
    close: (waitMs?: number) => drain.close(waitMs),
  };
}
export type NotificationSender = ReturnType<typeof createNotificationSender>;
