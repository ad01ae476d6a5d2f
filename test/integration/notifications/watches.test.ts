// Workers lost and back, failed images, and stuck reporting, each from its real signal: the worker
// store and sessions map, the statuses' backlog.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerSessions, WorkerSession } from '../../../master/dispatch/worker-session.js';
import { createWorkerWatch } from '../../../master/notifications/worker-watch.js';
import { createReportingWatch } from '../../../master/notifications/reporting-watch.js';
import type { Notice } from '../../../master/notifications/notice.js';
import { openStoreDb, type StoreDb } from '../../support/store-db.js';

type Told = { topic: string; key: string; notice: Notice };

describe('worker watch', () => {
  let t: StoreDb;
  let close = () => undefined as void;
  afterEach(() => {
    close();
    t?.close();
  });

  /** A watch over the store (as a master starting on it would make), telling into `told`. */
  function watchOver(sessions: WorkerSessions, gracePeriod: number) {
    const told: Told[] = [];
    const watch = createWorkerWatch({
      config: { workers: [{ name: 'w1', gracePeriod } as never] }, sessions, workers: t.stores.workers,
      notify: (topic, key, notice) => told.push({ topic, key, notice }), now: () => t.clock.now, link: 'https://ci/#/workers',
    });
    close = () => watch.close();
    return { watch, told };
  }

  function setUp(gracePeriod: number) {
    t = openStoreDb();
    const sessions: WorkerSessions = new Map();
    const { watch, told } = watchOver(sessions, gracePeriod);
    const connect = (images: unknown[] = []) => {
      t.stores.workers.markConnected({ name: 'w1', instanceId: 'i1', at: t.clock.now, version: '1', slots: 1, arch: '[]', labels: '[]', images: '[]' });
      t.stores.workers.setImageVersions('w1', JSON.stringify(images));
      sessions.set('w1', { name: 'w1' } as WorkerSession);
      watch.onWorker('w1');
    };
    const disconnect = () => {
      sessions.delete('w1');
      t.stores.workers.markDisconnected('w1', t.clock.now);
      watch.onWorker('w1');
    };
    return { watch, told, connect, disconnect };
  }

  it('a worker back within its grace period was never lost; one that stays away is lost, then back', async () => {
    const { told, connect, disconnect } = setUp(100);
    connect();
    disconnect();
    connect();
    t.clock.now += 1000;
    disconnect();
    await expect.poll(() => told.length).toBe(1);
    expect(told[0]).toMatchObject({ topic: 'worker:w1', key: 'worker-lost:w1@1001000', notice: { kind: 'worker-lost', title: 'worker w1 is lost (away for over 100ms)', link: 'https://ci/#/workers' } });
    t.clock.now += 1000;
    connect();
    expect(told[1]).toMatchObject({ topic: 'worker:w1', key: 'worker-back:w1@1002000', notice: { kind: 'worker-back', title: 'worker w1 is back' } });
  });

  it('a worker away at start gets its grace period, under the same event key as before the restart', async () => {
    const { watch, told, connect, disconnect } = setUp(50);
    connect();
    disconnect();
    await expect.poll(() => told.length).toBe(1);
    watch.close();
    t.clock.now += 5000;
    const { told: again, watch: restarted } = watchOver(new Map(), 50);
    restarted.start();
    await expect.poll(() => again.length).toBe(1);
    expect(again[0]!.key).toBe(told[0]!.key);
  });

  it('a failed image version is told once per worker, image and version', () => {
    const { told, connect } = setUp(60_000);
    const images = [{ image: 'debian-13', current: 'debian-13-20261201', versions: [
      { name: 'debian-13-20261201', state: 'current', builtAt: 'x' },
      { name: 'debian-13-20261205', state: 'failed', builtAt: 'y', failure: 'virt-customize exited 1' },
    ] }];
    connect(images);
    expect(told).toEqual([{
      topic: 'image:debian-13', key: 'image-failed:w1:debian-13:debian-13-20261205',
      notice: { kind: 'image-failed', title: 'image debian-13 failed to rebuild on worker w1 (debian-13-20261205)', detail: 'virt-customize exited 1', link: 'https://ci/#/workers', at: 1_000_000 },
    }]);
  });
});

describe('reporting watch', () => {
  it('tells once when failures have gone on for long, and once when the backlog is empty again', () => {
    let now = 0;
    let backlog = 3;
    const told: Told[] = [];
    const watch = createReportingWatch({ backlog: { statuses: () => backlog, logs: () => 0 }, notify: (topic, key, notice) => told.push({ topic, key, notice }), now: () => now, failingAfterMs: 15 * 60_000 });
    watch.failed('statuses');
    now = 10 * 60_000;
    watch.failed('statuses');
    watch.check();
    expect(told).toEqual([]);
    now = 16 * 60_000;
    watch.check();
    watch.check();
    expect(told.map((x) => [x.topic, x.key, x.notice.title])).toEqual([['reporting:statuses', 'statuses-failing@0', 'commit statuses have been failing for 16m0s']]);
    backlog = 0;
    watch.check();
    watch.check();
    expect(told.map((x) => [x.key, x.notice.kind])).toEqual([['statuses-failing@0', 'reporting-failing'], ['statuses-recovered@0', 'reporting-recovered']]);
  });

  it('a short failure that clears by itself tells nobody', () => {
    let backlog = 1;
    const told: Told[] = [];
    let now = 0;
    const watch = createReportingWatch({ backlog: { statuses: () => 0, logs: () => backlog }, notify: (topic, key, notice) => told.push({ topic, key, notice }), now: () => now, failingAfterMs: 60_000 });
    watch.failed('logs');
    backlog = 0;
    watch.check();
    now = 120_000;
    backlog = 1;
    watch.check();
    expect(told).toEqual([]);
  });
});
