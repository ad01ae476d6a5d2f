import { afterEach, describe, expect, it } from 'vitest';
import { openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('notification store (the notification outbox)', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  const row = (channel: string, topic: string, dedupeKey: string) => ({ channel, topic, dedupeKey, notice: JSON.stringify({ kind: 'failing', title: dedupeKey, at: 0 }) });

  it('queues an event once per channel, and groups pending rows by channel and topic', () => {
    t = openStoreDb();
    const n = t.stores.notifications;
    expect(n.add(row('email', 'builder:lvm', 'build:1'))).toBe(true);
    expect(n.add(row('email', 'builder:lvm', 'build:1'))).toBe(false);
    expect(n.add(row('irc', 'builder:lvm', 'build:1'))).toBe(true);
    expect(n.add(row('email', 'builder:lvm', 'build:2'))).toBe(true);
    expect(n.pendingGroups()).toEqual([
      { channel: 'email', topic: 'builder:lvm', retryAt: 1_000_000, lastSentAt: null },
      { channel: 'irc', topic: 'builder:lvm', retryAt: 1_000_000, lastSentAt: null },
    ]);
    expect(n.pendingOf('email', 'builder:lvm').map((r) => r.dedupe_key)).toEqual(['build:1', 'build:2']);
    expect(n.pendingCount()).toBe(3);
  });

  it('moves a group through retry, sent and failed; a group remembers when it last sent', () => {
    t = openStoreDb();
    const n = t.stores.notifications;
    n.add(row('email', 'builder:lvm', 'build:1'));
    n.add(row('email', 'builder:lvm', 'build:2'));
    const ids = n.pendingOf('email', 'builder:lvm').map((r) => r.id);
    n.markRetry(ids, 1_000_500, 'ECONNREFUSED');
    expect(n.pendingGroups()).toEqual([{ channel: 'email', topic: 'builder:lvm', retryAt: 1_000_500, lastSentAt: null }]);
    t.clock.now = 1_000_600;
    n.markSent(ids);
    n.add(row('email', 'builder:lvm', 'build:3'));
    expect(n.pendingGroups()).toEqual([{ channel: 'email', topic: 'builder:lvm', retryAt: 1_000_600, lastSentAt: 1_000_600 }]);
    const [third] = n.pendingOf('email', 'builder:lvm');
    n.markFailed([third!.id], 'gave up');
    expect(n.all().map((r) => [r.dedupe_key, r.state, r.attempts, r.last_error])).toEqual([
      ['build:1', 'sent', 2, null], ['build:2', 'sent', 2, null], ['build:3', 'failed', 1, 'gave up'],
    ]);
    expect(n.pendingGroups()).toEqual([]);
  });
});
