import { describe, expect, it } from 'vitest';
import { LogStream } from '../../../worker/log-stream.js';

function stream(options: { secrets?: string[]; maxChunk?: number; idleFlushMs?: number } = {}) {
  const chunks: string[] = [];
  const log = new LogStream({ secrets: options.secrets ?? [], emit: (d) => void chunks.push(d), maxChunk: options.maxChunk ?? 64 * 1024, idleFlushMs: options.idleFlushMs ?? 50 });
  return { log, chunks };
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

  it('never splits a surrogate pair when it must cut a line', () => {
    const { log, chunks } = stream({ maxChunk: 4 });
    log.write('abc😀def');
    log.end();
    expect(chunks.join('')).toBe('abc😀def');
    expect(chunks[0]).toBe('abc');
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
    const log = new LogStream({ secrets: [], emit: () => gate });
    const wait = log.write('line\n');
    expect(wait).toBe(gate);
    expect(log.write('partial')).toBeUndefined();
    release();
    await wait;
    log.end();
  });
});
