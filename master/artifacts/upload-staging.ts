// Large artifacts arrive in two parts: the bytes, streamed over HTTP into this staging directory,
// then the worker's sequenced `artifact` message naming the upload, which links the staged file
// into place in the transaction that records it (shared/protocol.ts, point 7). An upload is on
// disk (fsynced, renamed into place) before the master answers 201, so the message never names
// bytes that a crash could lose. Upload names start with their build's id: an upload of a build
// that is no longer running can never be claimed (its messages all came before build.finished),
// and the sweep removes it.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, createWriteStream, existsSync, fsyncSync as fsyncFd, linkSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadedFile } from '../../shared/protocol.js';

export class UploadTooLargeError extends Error {}
/** The bytes are not what the worker said it sent (its size header or sha256 trailer). */
export class UploadMismatchError extends Error {}

/** Inside the artifacts directory: a hard link needs one filesystem. */
export const uploadStagingDir = (dataDir: string): string => path.join(dataDir, 'artifacts', '.uploads');
/** Left free on the data disk whatever the uploads want: the database and the logs live there too. */
export const UPLOAD_DISK_RESERVE = 1024 * 1024 * 1024;

export interface ReceiveOptions {
  buildId: number;
  maxBytes: number;
  /** What the worker declared, read once the body has ended (a trailer comes after it). */
  expected(): { size?: number; sha256?: string };
}

export interface UploadStaging {
  /** Stream `body` to disk; rejects with UploadTooLargeError or UploadMismatchError, keeping nothing. */
  receive(body: Readable, options: ReceiveOptions): Promise<UploadedFile>;
  /** Hard-link upload `id` of build `buildId` at `target` (replacing a file there); false when there is no such upload. */
  linkTo(id: string, buildId: number, target: string): boolean;
  /** Forget upload `id` (after the transaction that linked it committed). */
  remove(id: string): void;
  /** Bytes free for an unprivileged writer on the staging directory's filesystem. */
  freeBytes(): Promise<number>;
  /** Remove uploads of builds that are not running, and partial uploads older than a day; returns how many. */
  sweep(isRunning: (buildId: number) => boolean, now: number): number;
}

const ID = /^([0-9]+)-[0-9a-f-]{36}$/;
const PARTIAL_MAX_AGE_MS = 86_400_000;

export function createUploadStaging(dir: string): UploadStaging {
  const staged = (id: string) => {
    if (!ID.test(id)) throw new Error(`bad upload id "${id}"`);
    return path.join(dir, id);
  };

  return {
    async receive(body, { buildId, maxBytes, expected }) {
      mkdirSync(dir, { recursive: true });
      const id = `${buildId}-${randomUUID()}`;
      const partial = path.join(dir, `${id}.part`);
      const hash = createHash('sha256');
      let size = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > maxBytes) return done(new UploadTooLargeError(`the file is over ${maxBytes} bytes`));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(body, count, createWriteStream(partial, { mode: 0o600 }));
        const sha256 = hash.digest('hex');
        const declared = expected();
        if (declared.size !== undefined && declared.size !== size) throw new UploadMismatchError(`${size} bytes arrived, ${declared.size} were announced`);
        if (declared.sha256 !== undefined && declared.sha256 !== sha256) throw new UploadMismatchError(`sha256 ${sha256} arrived, ${declared.sha256} was sent`);
        await fsync(partial);
        await rename(partial, staged(id));
        // The rename itself must survive a power cut before the 201 goes out.
        await fsync(dir);
        return { id, sha256, size };
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },

    linkTo(id, buildId, target) {
      const file = staged(id);
      if (ID.exec(id)?.[1] !== String(buildId) || !existsSync(file)) return false;
      const parent = path.dirname(target);
      const created = mkdirSync(parent, { recursive: true });
      rmSync(target, { force: true });
      linkSync(file, target);
      // The new name is on disk before the row that points at it commits.
      fsyncSync(parent);
      if (created) fsyncSync(path.dirname(created));
      return true;
    },

    async freeBytes() {
      mkdirSync(dir, { recursive: true });
      const fs = await statfs(dir);
      return fs.bavail * fs.bsize;
    },

    remove(id) {
      rmSync(staged(id), { force: true });
    },

    sweep(isRunning, now) {
      if (!existsSync(dir)) return 0;
      let removed = 0;
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        const build = ID.exec(name.replace(/\.part$/, ''))?.[1];
        const partial = name.endsWith('.part');
        const stale = partial ? now - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? now) > PARTIAL_MAX_AGE_MS : build === undefined || !isRunning(Number(build));
        if (!stale) continue;
        rmSync(file, { force: true });
        removed += 1;
      }
      return removed;
    },
  };
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r');
  await handle.sync().finally(() => handle.close());
}

function fsyncSync(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}
