import { describe, expect, it } from 'vitest';
import { createOrderedPool } from '../../../master/triggers/ordered-pool.js';

interface Task {
  id: number;
  key: string;
}

/** A pool whose tasks each wait until the test finishes them; records what started and when. */
function heldPool(limit: number) {
  const started: number[] = [];
  const finish = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  let running = 0;
  let most = 0;
  const pool = createOrderedPool<Task>({
    limit,
    keyOf: (t) => t.key,
    idOf: (t) => t.id,
    run: (t) => {
      started.push(t.id);
      most = Math.max(most, ++running);
      return new Promise<void>((ok, fail) => finish.set(t.id, { ok, fail })).finally(() => running--);
    },
  });
  const settle = async (id: number, error?: Error) => {
    const f = finish.get(id);
    if (!f) throw new Error(`task ${id} has not started`);
    if (error) f.fail(error);
    else f.ok();
    await new Promise((r) => setImmediate(r));
  };
  return { pool, started, settle, most: () => most };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ordered pool', () => {
  it('runs tasks of different keys at once, up to the limit', async () => {
    const { pool, started, settle, most } = heldPool(2);
    for (const id of [1, 2, 3]) pool.add({ id, key: `k${id}` });
    await flush();
    expect(started).toEqual([1, 2]);
    await settle(2);
    expect(started).toEqual([1, 2, 3]);
    await settle(1);
    await settle(3);
    await pool.idle();
    expect(most()).toBe(2);
  });

  it('runs tasks of one key one after another in the order added, without holding other keys', async () => {
    const { pool, started, settle } = heldPool(4);
    pool.add({ id: 1, key: 'pr1' });
    pool.add({ id: 2, key: 'pr1' });
    pool.add({ id: 3, key: 'pr2' });
    await flush();
    expect(started).toEqual([1, 3]);
    await settle(3);
    expect(started).toEqual([1, 3]);
    await settle(1);
    expect(started).toEqual([1, 3, 2]);
    await settle(2);
    await pool.idle();
  });

  it('ignores a task added again while it waits or runs', async () => {
    const { pool, started, settle } = heldPool(1);
    pool.add({ id: 1, key: 'a' });
    pool.add({ id: 1, key: 'a' });
    await flush();
    await settle(1);
    await pool.idle();
    expect(started).toEqual([1]);
  });

  it('after a failure, holds the later tasks of that key and reports the failure when idle', async () => {
    const { pool, started, settle } = heldPool(4);
    pool.add({ id: 1, key: 'pr1' });
    pool.add({ id: 2, key: 'pr1' });
    pool.add({ id: 3, key: 'pr2' });
    const idle = pool.idle();
    const outcome = idle.then(() => 'resolved', (e: Error) => e.message);
    await flush();
    await settle(1, new Error('disk full'));
    await settle(3);
    expect(await outcome).toBe('disk full');
    expect(started).toEqual([1, 3]);
    // Dropped, not lost: added again, it runs.
    pool.add({ id: 2, key: 'pr1' });
    await flush();
    expect(started).toEqual([1, 3, 2]);
    await settle(2);
    await expect(pool.idle()).resolves.toBeUndefined();
  });
});
