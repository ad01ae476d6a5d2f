// What /healthz reports about storage: the database must take a write, and the data disk must
// have room. A no-op write succeeds on a full disk (SQLite has nothing to flush), so free space is
// looked at directly: below the floor, every log append and most commits fail.
import { statfsSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import type { WorkerStore } from './store/worker-store.js';
import { storageFailure } from './storage-full.js';

/** Below this many free bytes on the data disk the master reports itself unhealthy and takes no writes. */
export const MIN_FREE_BYTES = 1024 * 1024;

/** Why the data disk counts as full, or undefined while it has room. */
export function dataDiskFull(dataDir: string, minFreeBytes = MIN_FREE_BYTES): string | undefined {
  try {
    const fs = statfsSync(dataDir);
    const free = fs.bavail * fs.bsize;
    return free < minFreeBytes ? `database or disk is full: ${free} bytes free on the data disk (${dataDir})` : undefined;
  } catch (error) {
    return storageFailure(error) ?? (error as Error).message;
  }
}

/** How full the data disk is, 0 to 1 (what `df` shows: space ordinary users can no longer take), or undefined when it cannot be read. */
export function dataDiskUsedRatio(dataDir: string): number | undefined {
  try {
    const fs = statfsSync(dataDir);
    // bfree counts the blocks reserved for root too; df's Use% leaves them out, as does this.
    const used = fs.blocks - fs.bfree;
    const usable = used + fs.bavail;
    return usable > 0 ? used / usable : undefined;
  } catch {
    return undefined;
  }
}

/** Log a warning when the data disk is fuller than `percent` (storage.warnAbovePercent); returns whether it is. */
export function warnIfDataDiskFull(dataDir: string, percent: number, logger: Pick<Logger, 'warn'>): boolean {
  const ratio = dataDiskUsedRatio(dataDir);
  if (ratio === undefined || ratio * 100 <= percent) return false;
  logger.warn({ dataDir, usedPercent: Math.round(ratio * 1000) / 10, warnAbovePercent: percent }, 'the data disk is fuller than storage.warnAbovePercent; lower logs.keepDays or storage.keepBytes, or give it room');
  return true;
}

/** A check returning undefined when storage is fine, else why not. */
export function storageHealth(workers: WorkerStore, dataDir: string, minFreeBytes = MIN_FREE_BYTES): () => string | undefined {
  return () => {
    try {
      // A write statement proves the database is writable (not read-only, not failing) without changing anything.
      workers.probeWrite();
    } catch (error) {
      return storageFailure(error) ?? (error as Error).message;
    }
    return dataDiskFull(dataDir, minFreeBytes);
  };
}
