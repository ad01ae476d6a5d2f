// Step logs live on disk, one file per step (appended), not in SQLite rows: a 1 GB log costs disk,
// not memory. Beside each log, an index of its chunks (seq, offset, length, stream) lets readers
// tell stdout from stderr. The database holds each step's committed byte count; a file longer
// than that (a crash between the append and the commit) is cut back before the next append, so
// a re-sent chunk is never stored twice. The index is cut back the same way, to its entries below
// the committed size. The store remembers where its own last append to each log ended (log and
// index): the next chunk of a running step, appended at exactly that size, skips the checks and the
// index read-back; anything else (a re-sent chunk after a rollback, a restart) takes the careful path.
import { closeSync, createReadStream, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface LogStore {
  /** Append a chunk at `committedBytes` (what the database says is stored); returns the new size. */
  append(buildId: number, step: string, committedBytes: number, entry: { seq: number; stream: string; data: Uint8Array }): number;
  path(buildId: number, step: string): string;
  size(buildId: number, step: string): number;
  read(buildId: number, step: string, range?: { start: number; end?: number }): Readable;
}

/** Enough of the index's end to hold its last few entries (each well under 200 bytes). */
const INDEX_TAIL_BYTES = 4096;
/** Logs whose end is remembered: more than the steps that run at once. */
const REMEMBERED_ENDS = 1024;

function safeStep(step: string): string {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(step)) throw new Error(`bad step id "${step}"`);
  return step;
}

export function createLogStore(root: string): LogStore {
  const dirOf = (buildId: number) => path.join(root, String(buildId));
  const logPath = (buildId: number, step: string) => path.join(dirOf(buildId), `${safeStep(step)}.log`);

  /** Write all of `data` at `at`, after cutting the file back to `at` (what an earlier, uncommitted or torn, append left beyond it). */
  function writeAt(file: string, at: number, data: Uint8Array): void {
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    try {
      if (fstatSync(fd).size !== at) ftruncateSync(fd, at);
      // A short write (the disk filling up) is continued; the next attempt throws ENOSPC, and the
      // torn tail is cut off by the next append, which starts again at the committed size.
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, at + done);
    } finally {
      closeSync(fd);
    }
  }

  /** The index's size without its entries at or past `committedBytes` (and without a torn last line). */
  function indexEnd(indexFile: string, committedBytes: number): number {
    if (!existsSync(indexFile)) return 0;
    const fd = openSync(indexFile, 'r');
    try {
      let end = fstatSync(fd).size;
      // Only the tail can be stale: every append first cuts the log back to what is committed.
      const tail = Buffer.alloc(Math.min(end, INDEX_TAIL_BYTES));
      readSync(fd, tail, 0, tail.length, end - tail.length);
      const text = tail.toString('utf8');
      let cut = text.length;
      if (!text.endsWith('\n')) cut = text.lastIndexOf('\n') + 1;
      while (cut > 0) {
        const start = text.lastIndexOf('\n', cut - 2) + 1;
        if (start === 0 && tail.length < end) break; // the tail's first line may be cut: keep it
        const offset = (JSON.parse(text.slice(start, cut - 1)) as { offset: number }).offset;
        if (offset < committedBytes) break;
        cut = start;
      }
      end -= Buffer.byteLength(text.slice(cut));
      return end;
    } finally {
      closeSync(fd);
    }
  }

  /** Where this store's last append to a log left the log and its index. */
  const ends = new Map<string, { log: number; index: number }>();

  /** Write `data` at `at` in a file known to be exactly `at` long (this store wrote it so), or as the whole of a new or emptied file (`fresh`). */
  function writeAtEnd(file: string, at: number, data: Uint8Array, fresh = false): void {
    const fd = openSync(file, fresh ? 'w' : 'r+');
    try {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, at + done);
    } finally {
      closeSync(fd);
    }
  }

  return {
    append(buildId, step, committedBytes, entry) {
      const file = logPath(buildId, step);
      const indexFile = `${file.slice(0, -4)}.idx`;
      const { data } = entry;
      const index = Buffer.from(`${JSON.stringify({ seq: entry.seq, offset: committedBytes, length: data.length, stream: entry.stream })}\n`);
      const known = ends.get(file);
      ends.delete(file); // forgotten until this append has fully succeeded
      let indexAt: number;
      if (known && known.log === committedBytes) {
        writeAtEnd(file, committedBytes, data);
        indexAt = known.index;
        writeAtEnd(indexFile, indexAt, index);
      } else if (committedBytes === 0) {
        // A log's first chunk: both files are created afresh (O_TRUNC drops whatever an uncommitted
        // earlier attempt left), with no look at what is there.
        mkdirSync(dirOf(buildId), { recursive: true });
        writeAtEnd(file, 0, data, true);
        indexAt = 0;
        writeAtEnd(indexFile, 0, index, true);
      } else {
        mkdirSync(dirOf(buildId), { recursive: true });
        writeAt(file, committedBytes, data);
        indexAt = indexEnd(indexFile, committedBytes);
        writeAt(indexFile, indexAt, index);
      }
      const size = committedBytes + data.length;
      ends.set(file, { log: size, index: indexAt + index.length });
      if (ends.size > REMEMBERED_ENDS) ends.delete(ends.keys().next().value as string);
      return size;
    },
    path: logPath,
    size(buildId, step) {
      const file = logPath(buildId, step);
      return existsSync(file) ? statSync(file).size : 0;
    },
    read(buildId, step, range) {
      return createReadStream(logPath(buildId, step), range ? { start: range.start, end: range.end } : undefined);
    },
  };
}
