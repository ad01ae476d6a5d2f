import { describe, expect, it } from 'vitest';
import { LogStream } from '../../../worker/log-stream.js';

/** Lines go at once unless `lineDelayMs` says otherwise; chunks are decoded for comparison. */
function stream(options: { secrets?: string[]; maxChunk?: number; idleFlushMs?: number; lineDelayMs?: number } = {}) {
  const chunks: string[] = [];
  const bytes: Buffer[] = [];
  const log = new LogStream({
    secrets: options.secrets ?? [], maxChunk: options.maxChunk ?? 64 * 1024, idleFlushMs: options.idleFlushMs ?? 50, lineDelayMs: options.lineDelayMs ?? 0,
    emit: (d) => {
      bytes.push(Buffer.from(d));
      chunks.push(d.toString('utf8'));
    },
  });
  return { log, chunks, bytes };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LogStream', () => {
  it('emits whole lines and keeps a partial line until its newline', () => {
    const { log, chunks } = stream();
    log.write('one\ntw');
    log.write('o\nthr');
    expect(chunks).toEqual(['one\n', 'two\n']);
    log.end();
    expect(chunks).toEqual(['one\n', 'two\n', 'thr']);
  });

  it('cuts chunks at a newline within the size limit, and a long line at the limit', () => {
    const { log, chunks } = stream({ maxChunk: 10 });
    log.write('aaaa\nbbbb\ncccc\n');
    expect(chunks).toEqual(['aaaa\nbbbb\n', 'cccc\n']);
    log.write('x'.repeat(25));
    expect(chunks.slice(2)).toEqual(['x'.repeat(10), 'x'.repeat(10)]);
    log.end();
    expect(chunks.join('')).toBe('aaaa\nbbbb\ncccc\n' + 'x'.repeat(25));
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(10);
  });

  it('never splits a UTF-8 character when it must cut a line, and passes other bytes through as they are', () => {
    const { log, chunks, bytes } = stream({ maxChunk: 5 });
    log.write('abc😀def'); // 😀 is 4 bytes
    log.write(Buffer.from([0xff, 0xfe, 0x0a]));
    log.end();
    expect(chunks.slice(0, 2)).toEqual(['abc', '😀d']);
    expect(Buffer.concat(bytes)).toEqual(Buffer.concat([Buffer.from('abc😀def'), Buffer.from([0xff, 0xfe, 0x0a])]));
  });

  it('keeps whole lines up to lineDelayMs so fast output travels in few chunks, sending a full chunk at once', async () => {
    const { log, chunks } = stream({ lineDelayMs: 30, maxChunk: 20 });
    log.write('one\n');
    log.write('two\n');
    expect(chunks).toEqual([]);
    await sleep(80);
    expect(chunks).toEqual(['one\ntwo\n']);
    log.write('a\n'.repeat(11)); // 22 bytes: over a chunk, sent without waiting
    expect(chunks).toEqual(['one\ntwo\n', 'a\n'.repeat(10)]);
    log.end();
    expect(chunks.join('')).toBe('one\ntwo\n' + 'a\n'.repeat(11));
  });

  it('masks a multi-byte secret split inside a character across writes', () => {
    const { log, chunks } = stream({ secrets: ['pässwörd'] });
    const text = Buffer.from('x pässwörd y\n');
    log.write(text.subarray(0, 4)); // ends between the two bytes of ä
    log.write(text.subarray(4));
    log.end();
    expect(chunks.join('')).toBe('x *** y\n');
  });

  it('sends a partial line after the stream has been idle', async () => {
    const { log, chunks } = stream({ idleFlushMs: 30 });
    log.write('Password: ');
    expect(chunks).toEqual([]);
    await sleep(80);
    expect(chunks).toEqual(['Password: ']);
    log.end();
  });

  it('masks secrets split across writes, even across an idle flush, and releases a held tail at the end', async () => {
    const { log, chunks } = stream({ secrets: ['hunter22'], idleFlushMs: 20 });
    log.write('pw=hun');
    await sleep(60);
    log.write('ter22 ok\nends with hun');
    log.end();
    expect(chunks.join('')).toBe('pw=*** ok\nends with hun');
    for (const c of chunks) expect(c).not.toContain('hunter');
  });

  it('passes the emitter\'s backpressure promise back to the writer', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const log = new LogStream({ secrets: [], emit: () => gate, lineDelayMs: 0 });
    const wait = log.write('line\n');
    expect(wait).toBe(gate);
    expect(log.write('partial')).toBeUndefined();
    release();
    await wait;
    log.end();
  });
});
