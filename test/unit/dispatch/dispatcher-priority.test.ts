// The order the dispatcher hands out a scarce slot: builder priorities, FIFO within one, and aging
// (dispatch.priorityAgingMinutes) letting an old low-priority build past newer high ones.
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../master/dispatch/dispatcher.js';
import type { WorkerSession } from '../../../master/dispatch/worker-session.js';
import { createEventBus } from '../../../master/event-bus.js';
import { parseConfig } from '../../../shared/config/load-config.js';
import { silentLogger } from '../../../shared/logger.js';
import type { MasterMessage } from '../../../shared/protocol.js';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';

const MINUTE = 60_000;

describe('dispatcher priorities', () => {
  let t: StoreDb | undefined;
  afterEach(() => t?.close());

  /** One worker with one slot; `next()` dispatches, and returns the builder and PR it started, then frees the slot. */
  function setUp() {
    const { config, secrets } = parseConfig(testConfig({
      dispatch: { priorityAgingMinutes: 10 },
      builders: [
        { name: 'low', executor: 'host', steps: [{ name: 's', run: 'true' }] },
        { name: 'high', executor: 'host', priority: 5, steps: [{ name: 's', run: 'true' }] },
      ],
    }), 'cfg', { env: TEST_SECRETS });
    t = openStoreDb();
    const { builds, requests } = t.stores;
    const sent: MasterMessage[] = [];
    const worker: WorkerSession = {
      name: 'w1', instanceId: 'i1', version: 'test', arch: [], labels: [], images: [], slots: 1, connectedAt: 0,
      running: new Set(), send: (m) => void sent.push(m), close: () => undefined,
    };
    const dispatcher = createDispatcher({
      config, secrets, configDir: process.cwd(), builds, requests, sessions: new Map([[worker.name, worker]]), bus: createEventBus(), logger: silentLogger,
    });
    const priorityOf = (builder: string) => config.builders.find((b) => b.name === builder)?.priority ?? 0;
    return {
      clock: t.clock,
      queue: (builder: string, pr: number, priority = priorityOf(builder)) => builds.create(newBuild(builder, { pr, priority })),
      next(): string | undefined {
        const before = sent.length;
        dispatcher.dispatchNow();
        const started = sent.slice(before).flatMap((m) => (m.type === 'build.start' ? [m.build.buildId] : []));
        expect(started.length).toBeLessThanOrEqual(1);
        const id = started[0];
        if (id === undefined) return undefined;
        builds.finish(id, 'success', null);
        worker.running.clear();
        const b = builds.get(id);
        return `${b?.builder}#${b?.pr}`;
      },
    };
  }

  it('starts the higher priority first, and equal ones oldest first', () => {
    const q = setUp();
    q.queue('low', 1);
    q.queue('high', 2);
    q.queue('low', 3);
    q.queue('high', 4);
    q.queue('low', 5, 1);
    expect([q.next(), q.next(), q.next(), q.next(), q.next(), q.next()]).toEqual(['high#2', 'high#4', 'low#5', 'low#1', 'low#3', undefined]);
  });

  it('lets a low priority build that waited long enough past a stream of newer high ones', () => {
    const q = setUp();
    q.queue('low', 1);
    const started: Array<string | undefined> = [];
    // A new high-priority build every 10 minutes; each one that comes is started before the low
    // one until the low one has waited 5 intervals (0 + 5 against 5, and it is older).
    for (let pr = 2; pr <= 8; pr++) {
      q.queue('high', pr);
      started.push(q.next());
      q.clock.now += 10 * MINUTE;
    }
    expect(started).toEqual(['high#2', 'high#3', 'high#4', 'high#5', 'high#6', 'low#1', 'high#7']);
  });
});
