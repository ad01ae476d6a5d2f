import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { formatBytes, readLogForBranch } from '../../../master/logs-branch/cut-log.js';

describe('cutting a log for the branch', () => {
  const dir = makeTempDir();
  afterAll(() => dir.remove());
  const file = (name: string, text: string) => {
    const p = path.join(dir.path, name);
    writeFileSync(p, text);
    return p;
  };

  it('keeps a log under the limit whole', () => {
    expect(readLogForBranch(file('small.log', 'a\nb\n'), 100, 'here')).toBe('a\nb\n');
  });

  it('cuts the middle of a long log on line ends, with a note first', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, '0')}`); // 10 bytes each with \n
    const out = readLogForBranch(file('big.log', `${lines.join('\n')}\n`), 1000, 'on the CI host: http://ci/#/builds/3');
    const [note, , ...rest] = out.split('\n');
    expect(note).toBe('[gatehouse: this log is 9.8 KiB, over the 1000 B kept on the logs branch; 8.8 KiB in the middle are cut. The full log is on the CI host: http://ci/#/builds/3.]');
    const kept = rest.filter((l) => l.startsWith('line '));
    expect(kept[0]).toBe('line 0000');
    expect(kept.at(-1)).toBe('line 0999');
    expect(kept.length).toBeLessThan(110);
    for (const l of kept) expect(l).toMatch(/^line \d{4}$/);
    expect(out).toContain('\n[… 8.8 KiB cut …]\n');
  });

  it('formats sizes', () => {
    expect([formatBytes(12), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(['12 B', '2.0 KiB', '3.0 MiB']);
  });
});
