// Step logs live on disk, one file per step (appended), not in SQLite rows: a 1 GB log costs disk,
// not memory. Beside each log, an index of its chunks (seq, offset, length, stream) lets readers
// tell stdout from stderr. The database holds each step's committed byte count; a file longer
// than that (a crash between the append and the commit) is cut back before the next append, so
// a re-sent chunk is never stored twice.
import { closeSync, createReadStream, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface LogStore {
  /** Append a chunk at `committedBytes` (what the database says is stored); returns the new size. */
  append(buildId: number, step: string, committedBytes: number, entry: { seq: number; stream: string; data: string }): number;
  path(buildId: number, step: string): string;
  size(buildId: number, step: string): number;
  read(buildId: number, step: string, range?: { start: number; end?: number }): Readable;
}

function safeStep(step: string): string {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(step)) throw new Error(`bad step id "${step}"`);
  return step;
}

export function createLogStore(root: string): LogStore {
  const dirOf = (buildId: number) => path.join(root, String(buildId));
  const logPath = (buildId: number, step: string) => path.join(dirOf(buildId), `${safeStep(step)}.log`);

  function appendAt(file: string, at: number, data: Buffer): void {
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    try {
      if (fstatSync(fd).size !== at) ftruncateSync(fd, at);
      writeSync(fd, data, 0, data.length, at);
    } finally {
      closeSync(fd);
    }
  }

  return {
    append(buildId, step, committedBytes, entry) {
      mkdirSync(dirOf(buildId), { recursive: true });
      const file = logPath(buildId, step);
      const data = Buffer.from(entry.data, 'utf8');
      appendAt(file, committedBytes, data);
      const index = `${JSON.stringify({ seq: entry.seq, offset: committedBytes, length: data.length, stream: entry.stream })}\n`;
      const indexFile = `${file.slice(0, -4)}.idx`;
      const indexSize = existsSync(indexFile) ? statSync(indexFile).size : 0;
      appendAt(indexFile, indexSize, Buffer.from(index));
      return committedBytes + data.length;
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
