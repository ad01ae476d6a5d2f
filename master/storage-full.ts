// Storage failures (a full data disk, an I/O error, a filesystem gone read-only) told apart from
// bugs and bad input, in one place: the master answers them 503 + Retry-After, leaves worker
// messages unacked, and retries its background work later instead of exiting. Everything that
// writes outside a request handler logs them through a StorageAlarm, so a full disk costs a few
// lines a minute, not one per attempt.
import type { Logger } from '../shared/logger.js';
import { createRateLimitedLog } from './rate-limited-log.js';

/** What a client should wait before trying again while storage fails (seconds). */
export const STORAGE_RETRY_AFTER_S = 30;

const FS_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
};

/** Why storage failed, when `error` is a storage failure (SQLite's or the filesystem's); else undefined. */
export function storageFailure(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return undefined;
  // better-sqlite3's SqliteError: code is the extended result name; its message is SQLite's own text.
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY')) {
    return typeof message === 'string' && message !== '' ? message : code;
  }
  return FS_REASONS[code];
}

export interface StorageAlarm {
  /** Log a storage failure of `what` (the first of each window in full, the rest counted); returns its reason. */
  failed(what: string, error: unknown, details?: Record<string, unknown>): string;
  close(): void;
}

export function createStorageAlarm(logger: Pick<Logger, 'error'>, windowMs = 60_000): StorageAlarm {
  const log = createRateLimitedLog({ emit: (obj, msg) => logger.error(obj, msg), summary: 'storage still failing (counts per operation); retrying', countsField: 'failures', windowMs });
  return {
    failed(what, error, details = {}) {
      const reason = storageFailure(error) ?? (error as Error)?.message ?? String(error);
      log.note(what, { ...details, err: reason }, `${what} failed: ${reason}; will retry`);
      return reason;
    },
    close: () => log.close(),
  };
}
