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
    const a = logs.append(1, '0', 0, { seq: 1, stream: 'stdout', data: 'one\n' });
    // Seq 2 written, then its commit failed: the database still says `a`.
    logs.append(1, '0', a, { seq: 2, stream: 'stdout', data: 'two\n' });
    const b = logs.append(1, '0', a, { seq: 2, stream: 'stdout', data: 'two\n' });
    logs.append(1, '0', b, { seq: 3, stream: 'stderr', data: 'three\n' });
    const file = logs.path(1, '0');
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\n');
    expect(index(file).map((e) => [e.seq, e.offset])).toEqual([[1, 0], [2, 4], [3, 8]]);
  });

  it('a torn write (the disk filled mid-chunk) is cut back before the chunk is stored again', () => {
    const logs = createLogStore(dir.path);
    const a = logs.append(2, '0', 0, { seq: 1, stream: 'stdout', data: 'first\n' });
    const file = logs.path(2, '0');
    appendFileSync(file, 'seco'); // half of seq 2 reached the disk
    appendFileSync(file.replace(/\.log$/, '.idx'), '{"seq":2,"off'); // and a torn index line
    logs.append(2, '0', a, { seq: 2, stream: 'stdout', data: 'second\n' });
    expect(readFileSync(file, 'utf8')).toBe('first\nsecond\n');
    expect(index(file).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps a long index whole when only its tail is stale', () => {
    const logs = createLogStore(dir.path);
    let size = 0;
    for (let seq = 1; seq <= 300; seq++) size = logs.append(3, '0', size, { seq, stream: 'stdout', data: `line ${seq}\n` });
    const file = logs.path(3, '0');
    truncateSync(file, size); // nothing to cut
    const again = logs.append(3, '0', size, { seq: 301, stream: 'stdout', data: 'last\n' });
    logs.append(3, '0', size, { seq: 301, stream: 'stdout', data: 'last\n' });
    expect(again).toBe(size + 5);
    expect(index(file).map((e) => e.seq)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
  });
});
