import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createStorageAlarm, storageFailure } from '../../../master/storage-full.js';

/** A real SQLITE_FULL: a database that may not grow past its current size. */
function fullDatabaseError(): unknown {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE t (x BLOB)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
}

describe('storageFailure', () => {
  it("names SQLite's full database with SQLite's own words", () => {
    const error = fullDatabaseError();
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    expect(storageFailure(error)).toBe('database or disk is full');
  });

  it('knows I/O errors and a full or read-only filesystem', () => {
    expect(storageFailure(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }))).toBe('disk I/O error');
    expect(storageFailure(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('no space left on device');
    expect(storageFailure(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('read-only file system');
  });

  it('leaves everything else alone: bad input and bugs are not a full disk', () => {
    expect(storageFailure(new Error('bad artifact path "../x"'))).toBeUndefined();
    expect(storageFailure(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBeUndefined();
    expect(storageFailure(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBeUndefined();
    expect(storageFailure('ENOSPC')).toBeUndefined();
  });
});

describe('createStorageAlarm', () => {
  it('logs the first failure of each operation in full and the rest as one count per window', () => {
    const lines: Array<{ obj: object; msg?: string }> = [];
    const alarm = createStorageAlarm({ error(obj: object, msg?: string) { lines.push({ obj, msg }); } });
    const full = Object.assign(new Error('x'), { code: 'ENOSPC' });
    for (let i = 0; i < 50; i++) alarm.failed('storing a message', full, { seq: i });
    alarm.failed('dispatching builds', full);
    expect(lines.map((l) => l.msg)).toEqual(['storing a message failed: no space left on device; will retry', 'dispatching builds failed: no space left on device; will retry']);
    alarm.close();
    expect(lines).toHaveLength(3);
    expect(lines[2]?.obj).toMatchObject({ failures: { 'storing a message': 49 } });
  });
});
