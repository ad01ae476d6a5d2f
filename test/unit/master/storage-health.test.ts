// How full the data disk is, against what df says of the same directory, and the warning past
// storage.warnAbovePercent.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { dataDiskUsedRatio, warnIfDataDiskFull } from '../../../master/storage-health.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { captureLogger } from '../../support/worker-build-spec.js';

describe('data disk fill', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('reads the used share as df does, and warns only above the threshold', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const ratio = dataDiskUsedRatio(dir.path) as number;
    const dfPercent = Number(execFileSync('df', ['--output=pcent', dir.path], { encoding: 'utf8' }).split('\n')[1]?.replace('%', '').trim());
    // df rounds up; other engineers write to the same disk meanwhile.
    expect(Math.abs(ratio * 100 - dfPercent)).toBeLessThan(2);

    const logger = captureLogger();
    expect(warnIfDataDiskFull(dir.path, 100, logger)).toBe(false);
    expect(logger.lines).toEqual([]);
    expect(warnIfDataDiskFull(dir.path, Math.max(0, ratio * 100 - 1), logger)).toBe(true);
    expect(logger.lines).toEqual(['warn the data disk is fuller than storage.warnAbovePercent; lower logs.keepDays or storage.keepBytes, or give it room']);
  });

  it('is undefined for a directory that is not there', () => {
    expect(dataDiskUsedRatio('/nonexistent/gatehouse-data')).toBeUndefined();
  });
});
