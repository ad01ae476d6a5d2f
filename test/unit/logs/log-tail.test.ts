import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogTail } from '../../../master/logs/log-tail.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir();
afterAll(() => dir.remove());

describe('log tail', () => {
  it('gives the last lines without colour escapes, and nothing for a missing file', () => {
    const file = path.join(dir.path, 'a.log');
    writeFileSync(file, `${Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n')}\n\x1b[31mFAILED\x1b[0m: 1 test\r\n`);
    expect(readLogTail(file, 3)).toBe('line 48\nline 49\nFAILED: 1 test');
    expect(readLogTail(path.join(dir.path, 'none.log'))).toBe('');
  });

  it('reads only the end of a big log and drops the partial line it starts in', () => {
    const file = path.join(dir.path, 'big.log');
    writeFileSync(file, `${'x'.repeat(100_000)}\nend 1\nend 2\n`);
    expect(readLogTail(file, 30, 20)).toBe('end 1\nend 2');
  });
});
