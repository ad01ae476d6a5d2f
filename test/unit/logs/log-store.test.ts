// The log store against a torn or uncommitted append: what the database says is committed is the
// truth, and a chunk sent again after a failure is stored once.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import { createLogStore } from '../../../master/logs/log-store.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('log store', () => {
  const dir = makeTempDir('gatehouse-logs-');
  afterEach(() => dir.remove());
  const index = (file: string) => readFileSync(file.replace(/\.log$/, '.idx'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; offset: number });

  it('an append that was written but not committed, sent again, is stored once (log and index)', () => {
    const logs = createLogStore(dir.path);
    const a = logs.append(1, '0', 0, { seq: 1, stream: 'stdout', data: Buffer.from('one\n') });
    // Seq 2 written, then its commit failed: the database still says `a`.
    logs.append(1, '0', a, { seq: 2, stream: 'stdout', data: Buffer.from('two\n') });
    const b = logs.append(1, '0', a, { seq: 2, stream: 'stdout', data: Buffer.from('two\n') });
    logs.append(1, '0', b, { seq: 3, stream: 'stderr', data: Buffer.from('three\n') });
    const file = logs.path(1, '0');
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\n');
    expect(index(file).map((e) => [e.seq, e.offset])).toEqual([[1, 0], [2, 4], [3, 8]]);
  });

  it("a log's first chunk, written but not committed before a restart, is stored once when sent again", () => {
    createLogStore(dir.path).append(3, '0', 0, { seq: 1, stream: 'stdout', data: Buffer.from('a longer first try\n') });
    // The commit failed and the master died: the database says nothing is stored; a new store gets the chunk again.
    const size = createLogStore(dir.path).append(3, '0', 0, { seq: 1, stream: 'stderr', data: Buffer.from('first\n') });
    const file = createLogStore(dir.path).path(3, '0');
    expect([size, readFileSync(file, 'utf8')]).toEqual([6, 'first\n']);
    expect(index(file).map((e) => [e.seq, e.offset])).toEqual([[1, 0]]);
    expect(readFileSync(file.replace(/\.log$/, '.idx'), 'utf8')).toContain('"stream":"stderr"');
  });

  it('a torn write (the disk filled mid-chunk) is cut back before the chunk is stored again', () => {
    const logs = createLogStore(dir.path);
    const a = logs.append(2, '0', 0, { seq: 1, stream: 'stdout', data: Buffer.from('first\n') });
    const file = logs.path(2, '0');
    appendFileSync(file, 'seco'); // half of seq 2 reached the disk
    appendFileSync(file.replace(/\.log$/, '.idx'), '{"seq":2,"offset":6,"length":7,"stream":"stdout","torn'); // and a torn index line
    // The master died there: a new one (a new store) gets the chunk again.
    createLogStore(dir.path).append(2, '0', a, { seq: 2, stream: 'stdout', data: Buffer.from('se\n') });
    expect(readFileSync(file, 'utf8')).toBe('first\nse\n');
    expect(index(file).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps a long index whole when only its tail is stale', () => {
    const logs = createLogStore(dir.path);
    let size = 0;
    for (let seq = 1; seq <= 300; seq++) size = logs.append(3, '0', size, { seq, stream: 'stdout', data: Buffer.from(`line ${seq}\n`) });
    const file = logs.path(3, '0');
    truncateSync(file, size); // nothing to cut
    const again = logs.append(3, '0', size, { seq: 301, stream: 'stdout', data: Buffer.from('last\n') });
    logs.append(3, '0', size, { seq: 301, stream: 'stdout', data: Buffer.from('last\n') });
    expect(again).toBe(size + 5);
    expect(index(file).map((e) => e.seq)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
  });

  it('remembers where its own appends ended, and still cuts back a chunk re-sent after a rollback', () => {
    const logs = createLogStore(dir.path);
    let size = 0;
    const expected: string[] = [];
    for (let seq = 1; seq <= 50; seq++) {
      const data = `chunk ${seq} ${'x'.repeat(seq)}\n`;
      const next = logs.append(4, '0', size, { seq, stream: seq % 2 ? 'stdout' : 'stderr', data: Buffer.from(data) });
      if (seq % 10 === 0) {
        // Written, then the transaction failed: the database still says `size`, and the chunk comes again.
        expect(logs.append(4, '0', size, { seq, stream: 'stdout', data: Buffer.from(`again ${seq}\n`) })).toBe(size + `again ${seq}\n`.length);
        size += `again ${seq}\n`.length;
        expected.push(`again ${seq}\n`);
      } else {
        size = next;
        expected.push(data);
      }
    }
    const file = logs.path(4, '0');
    expect(readFileSync(file, 'utf8')).toBe(expected.join(''));
    const entries = index(file);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    let offset = 0;
    for (const [i, e] of entries.entries()) {
      expect(e.offset).toBe(offset);
      offset += Buffer.byteLength(expected[i] as string);
    }
  });
});
