import { afterEach, describe, expect, it } from 'vitest';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('step store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  it('follows a step from pending through running to finished, with its committed log size', () => {
    t = openStoreDb();
    const { builds, steps } = t.stores;
    const b = builds.create(newBuild('unit'));
    builds.claim(b.request_id, b.id, 'w1', [{ id: '0', name: 'checkout' }, { id: '1', name: 'test' }]);
    expect(steps.startedCount(b.id)).toBe(0);
    steps.markStarted(b.id, '0', 'checkout', 100);
    expect(steps.startedCount(b.id)).toBe(1);
    expect(steps.state(b.id, '0')).toEqual({ state: 'running', log_bytes: 0 });
    steps.setLogBytes(b.id, '0', 512);
    expect(steps.state(b.id, '0')?.log_bytes).toBe(512);
    steps.markFinished({ buildId: b.id, step: '0', name: '0', result: 'success', exitCode: 0, reason: null, at: 200, durationMs: 100 });
    expect(steps.ofBuild(b.id)[0]).toEqual({
      step: '0', name: 'checkout', state: 'finished', result: 'success', exit_code: 0, reason: null, started_at: 100, finished_at: 200, duration_ms: 100, log_bytes: 512,
    });
    expect(steps.state(b.id, '9')).toBeUndefined();
  });

  it('a log for an unknown step shows it running; a finish for an unknown step records it', () => {
    t = openStoreDb();
    const { builds, steps } = t.stores;
    const b = builds.create(newBuild('unit'));
    steps.ensureRunning(b.id, '2.1', '2.1');
    steps.ensureRunning(b.id, '2.1', 'ignored: it exists');
    steps.markFinished({ buildId: b.id, step: '3', name: '3', result: 'failure', exitCode: 1, reason: 'exit 1', at: 5, durationMs: 4 });
    expect(steps.ofBuild(b.id).map((s) => [s.step, s.name, s.state, s.result])).toEqual([['2.1', '2.1', 'running', null], ['3', '3', 'finished', 'failure']]);
  });

  it('deletes the steps of the given builds only', () => {
    t = openStoreDb();
    const { builds, steps } = t.stores;
    const [a, b] = [builds.create(newBuild('unit')), builds.create(newBuild('unit'))];
    steps.markStarted(a.id, '0', 'x', 1);
    steps.markStarted(b.id, '0', 'x', 1);
    steps.deleteForBuilds([a.id]);
    expect(steps.ofBuild(a.id)).toEqual([]);
    expect(steps.ofBuild(b.id)).toHaveLength(1);
  });
});
