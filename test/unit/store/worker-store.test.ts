import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerStore, type WorkerHello } from '../../../master/store/worker-store.js';
import { openStoreDb, type StoreDb } from '../../support/store-db.js';

const hello = (over: Partial<WorkerHello> = {}): WorkerHello => ({
  name: 'w1', instanceId: 'i1', at: 100, version: '1.0.0', slots: 2, arch: '["x86_64"]', labels: '["kvm"]', images: '["debian"]', ...over,
});

describe('worker store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('records a hello, the seq applied since, and a disconnect', () => {
    t = openStoreDb();
    const { workers } = t.stores;
    workers.markConnected(hello());
    expect(workers.get('w1')).toMatchObject({ instance_id: 'i1', connected: 1, connected_at: 100, last_seen: 100, last_seq: 0, slots: 2, labels: '["kvm"]' });
    workers.setLastSeq('w1', 7, 150);
    expect(workers.get('w1')).toMatchObject({ last_seq: 7, last_seen: 150 });
    workers.markDisconnected('w1', 200);
    expect(workers.get('w1')).toMatchObject({ connected: 0, last_seen: 200 });
    expect(workers.get('nobody')).toBeUndefined();
  });

  it('keeps the seq when the same instance says hello again, and starts again from 0 for a restarted worker', () => {
    t = openStoreDb();
    const { workers } = t.stores;
    workers.markConnected(hello());
    workers.setLastSeq('w1', 7, 150);
    workers.markConnected(hello({ at: 300, slots: 4 }));
    expect(workers.get('w1')).toMatchObject({ last_seq: 7, connected_at: 300, slots: 4 });
    workers.markConnected(hello({ instanceId: 'i2', at: 400 }));
    expect(workers.get('w1')).toMatchObject({ last_seq: 0, instance_id: 'i2' });
  });

  it('stores image versions, and marks every worker disconnected at start', () => {
    t = openStoreDb();
    const { workers } = t.stores;
    workers.markConnected(hello());
    workers.markConnected(hello({ name: 'w2', instanceId: 'j' }));
    workers.setImageVersions('w2', '[{"image":"debian","versions":[]}]');
    workers.markAllDisconnected();
    expect(workers.all().map((w) => [w.name, w.connected, w.image_versions])).toEqual([
      ['w1', 0, null], ['w2', 0, '[{"image":"debian","versions":[]}]'],
    ]);
  });

  it('a write probe changes nothing, and fails on a database that takes no writes', () => {
    t = openStoreDb();
    t.stores.workers.markConnected(hello());
    const before = t.stores.workers.all();
    expect(() => t.stores.workers.probeWrite()).not.toThrow();
    expect(t.stores.workers.all()).toEqual(before);
    const readOnly = new Database(t.file, { readonly: true });
    try {
      expect(() => createWorkerStore(readOnly).probeWrite()).toThrow(/readonly/);
    } finally {
      readOnly.close();
    }
  });
});
