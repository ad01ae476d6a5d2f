import { describe, expect, it } from 'vitest';
import { Outbox, type Wire } from '../../../worker/outbox.js';
import { decodeLogFrame } from '../../../shared/protocol.js';

const log = (data: string) => ({ type: 'log' as const, buildId: 1, step: '0', stream: 'stdout' as const, data: Buffer.from(data) });
const decode = (wire: Wire) => (typeof wire === 'string' ? (JSON.parse(wire) as { seq: number }) : decodeLogFrame(wire));
const seqs = (sent: Wire[]) => sent.map((wire) => decode(wire).seq);

describe('Outbox', () => {
  it('numbers messages from 1 and sends them only while attached', () => {
    const outbox = new Outbox();
    expect(outbox.push(log('a'))).toBe(1);
    const sent: Wire[] = [];
    outbox.resume(0, (json) => sent.push(json));
    expect(outbox.push(log('b'))).toBe(2);
    expect(sent.map(decode)).toEqual([
      { ...log('a'), seq: 1 },
      { ...log('b'), seq: 2 },
    ]);
    outbox.detach();
    outbox.push(log('c'));
    expect(sent).toHaveLength(2);
  });

  it('after a reconnect sends again exactly what the master had not stored, in order', () => {
    const outbox = new Outbox();
    for (const d of ['a', 'b', 'c', 'd', 'e']) outbox.push(log(d));
    outbox.ack(2);
    const sent: Wire[] = [];
    expect(outbox.resume(3, (json) => sent.push(json))).toBe(2);
    expect(seqs(sent)).toEqual([4, 5]);
    outbox.push(log('f'));
    expect(seqs(sent)).toEqual([4, 5, 6]);
    expect(outbox.size).toBe(3);
  });

  it('asks producers to wait while too much is unacked, and lets them go once acks arrive', async () => {
    const outbox = new Outbox({ maxUnackedBytes: 1000 });
    expect(outbox.room()).toBeUndefined();
    for (let i = 0; i < 20; i++) outbox.push(log('x'.repeat(100)));
    expect(outbox.unackedBytes).toBeGreaterThan(1000);
    let released = false;
    const wait = outbox.room()?.then(() => (released = true));
    expect(wait).toBeDefined();
    outbox.ack(5);
    await Promise.resolve();
    expect(released).toBe(false);
    outbox.ack(15);
    await wait;
    expect(released).toBe(true);
    expect(outbox.unackedBytes).toBeLessThanOrEqual(1000);
  });

  it('tells when everything has been acked', async () => {
    const outbox = new Outbox();
    await outbox.drained();
    outbox.push(log('a'));
    let drained = false;
    const done = outbox.drained().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    outbox.ack(1);
    await done;
    expect(outbox.unackedBytes).toBe(0);
  });

  it('keeps working across many acks (the queue compacts)', () => {
    const outbox = new Outbox();
    for (let i = 1; i <= 5000; i++) {
      outbox.push(log(String(i)));
      if (i % 3 === 0) outbox.ack(i - 1);
    }
    const sent: Wire[] = [];
    outbox.resume(4998, (json) => sent.push(json));
    expect(seqs(sent)).toEqual([4999, 5000]);
    expect(outbox.lastSeq).toBe(5000);
  });

  it('reuses an acked frame\'s memory for a later chunk without touching the unacked ones', () => {
    const outbox = new Outbox();
    const big = (c: string) => log(c.repeat(100 * 1024));
    for (const c of ['a', 'b', 'c']) outbox.push(big(c));
    outbox.ack(1);
    outbox.push(big('d')); // written into the memory of frame 1
    const sent: Wire[] = [];
    outbox.resume(1, (wire) => sent.push(wire));
    expect(sent.map((w) => decodeLogFrame(w as Buffer).data.toString())).toEqual(['b', 'c', 'd'].map((c) => c.repeat(100 * 1024)));
    outbox.ack(4);
    expect(outbox.unackedBytes).toBe(0);
  });
});
