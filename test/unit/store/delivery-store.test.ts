import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryRow } from '../../../master/store/delivery-store.js';
import { openStoreDb, pushChange, type StoreDb } from '../../support/store-db.js';

const delivery = (id: string, over: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id, event: 'push', action: null, repo: 'o/r', pr: null, sha: null, outcome: 'pending', detail: null, received_at: 10, ...over,
});

describe('delivery store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('records a delivery once, and its outcome', () => {
    t = openStoreDb();
    const { deliveries } = t.stores;
    expect(deliveries.insert(delivery('d1'))).toBe(true);
    expect(deliveries.insert(delivery('d1', { event: 'ping' }))).toBe(false);
    deliveries.setOutcome('d1', 'queued', 'unit: queued');
    expect(deliveries.list({}).rows).toEqual([delivery('d1', { outcome: 'queued', detail: 'unit: queued' })]);
  });

  it('lists newest first, filtered by outcome or event', () => {
    t = openStoreDb();
    const { deliveries } = t.stores;
    deliveries.insert(delivery('old', { received_at: 1, outcome: 'ignored' }));
    deliveries.insert(delivery('new', { received_at: 2, event: 'pull_request' }));
    expect(deliveries.list({}).rows.map((d) => d.id)).toEqual(['new', 'old']);
    expect(deliveries.list({ order: 'received_at' }).rows.map((d) => d.id)).toEqual(['old', 'new']);
    expect(deliveries.list({ outcome: 'ignored' })).toMatchObject({ total: 1, rows: [{ id: 'old' }] });
    expect(deliveries.list({ event: 'pull_request' }).rows.map((d) => d.id)).toEqual(['new']);
  });

  it('deletes deliveries before the cutoff that no change refers to', () => {
    t = openStoreDb();
    const { deliveries, changes } = t.stores;
    deliveries.insert(delivery('used', { received_at: 1 }));
    changes.insert('used', pushChange());
    deliveries.insert(delivery('unused', { received_at: 1 }));
    deliveries.insert(delivery('recent', { received_at: 50 }));
    expect(deliveries.deleteUnusedBefore(20)).toBe(1);
    expect(deliveries.list({}).rows.map((d) => d.id).sort()).toEqual(['recent', 'used']);
  });
});
