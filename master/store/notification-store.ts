// The durable outbox of notifications (notification_outbox). A row per channel and event is
// written when the event happens and leaves the queue only once its channel took it (or it was
// given up), so a notification survives a master restart; the unique (channel, dedupe_key) makes a
// replayed event add nothing. Rows are sent per (channel, topic) group: all pending rows of a group
// go out as one message, and a group is not sent again within the rate limit of its last message.
import type { Db } from './open-database.js';

export interface NotificationRow {
  id: number;
  channel: string;
  topic: string;
  dedupe_key: string;
  /** JSON Notice. */
  notice: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface NewNotification {
  channel: string;
  topic: string;
  dedupeKey: string;
  notice: string;
}

/** A (channel, topic) with pending rows: when its retry backoff ends and when it last sent a message. */
export interface PendingGroup {
  channel: string;
  topic: string;
  retryAt: number;
  lastSentAt: number | null;
}

export function createNotificationStore(db: Db, now: () => number) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO notification_outbox (channel, topic, dedupe_key, notice, next_attempt_at, created_at)
     VALUES (@channel, @topic, @dedupeKey, @notice, @at, @at)`,
  );
  // A row added during a group's backoff is due with the group: the group waits for its latest retry time.
  const groups = db.prepare<[], PendingGroup>(
    `SELECT p.channel, p.topic, MAX(p.next_attempt_at) AS retryAt,
       (SELECT MAX(s.sent_at) FROM notification_outbox s WHERE s.channel = p.channel AND s.topic = p.topic AND s.state = 'sent') AS lastSentAt
     FROM notification_outbox p WHERE p.state = 'pending' GROUP BY p.channel, p.topic`,
  );
  const pendingOf = db.prepare<[string, string], NotificationRow>(`SELECT * FROM notification_outbox WHERE state = 'pending' AND channel = ? AND topic = ? ORDER BY id`);
  const pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM notification_outbox WHERE state = 'pending'`);
  const sent = db.prepare<[number, string]>(`UPDATE notification_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`);
  const retry = db.prepare<[number, string, string]>(`UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`);
  const failed = db.prepare<[string, string]>(`UPDATE notification_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`);
  const all = db.prepare<[], NotificationRow>('SELECT * FROM notification_outbox ORDER BY id');
  const deleteSettled = db.prepare<[number]>(`DELETE FROM notification_outbox WHERE state != 'pending' AND created_at < ?`);

  return {
    /** Queue a notification; false when this event was queued for this channel before. */
    add: (n: NewNotification): boolean => insert.run({ ...n, at: now() }).changes === 1,
    /** Every (channel, topic) with pending rows. */
    pendingGroups: (): PendingGroup[] => groups.all(),
    /** The pending rows of one group, oldest first. */
    pendingOf: (channel: string, topic: string): NotificationRow[] => pendingOf.all(channel, topic),
    /** Notifications still to be sent. */
    pendingCount: (): number => (pendingCount.get() as { n: number }).n,
    markSent: (ids: readonly number[]) => void sent.run(now(), JSON.stringify(ids)),
    markRetry: (ids: readonly number[], at: number, error: string) => void retry.run(at, error, JSON.stringify(ids)),
    markFailed: (ids: readonly number[], error: string) => void failed.run(error, JSON.stringify(ids)),
    /** Every row, oldest first (tests and diagnostics; the table stays small: a few rows per transition). */
    all: (): NotificationRow[] => all.all(),
    /** Rows no longer waiting (sent, given up) created before the cutoff. */
    deleteSettledBefore: (cutoff: number) => void deleteSettled.run(cutoff),
  };
}
export type NotificationStore = ReturnType<typeof createNotificationStore>;
