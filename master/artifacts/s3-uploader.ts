// Moves file artifacts from the master's directory to the bucket, after the transaction that stored
// them: a build never waits for S3, and an artifact is never lost to an S3 outage (it stays on disk,
// served from there, and is tried again). Once the object is written, the row points at it and the
// local copy goes. JUnit reports stay on disk: statuses and the logs branch read them.
import { rmSync } from 'node:fs';
import { open, rmdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { Logger } from '../../shared/logger.js';
import type { Bucket } from './s3-bucket.js';

export interface S3UploaderDeps {
  artifacts: ArtifactStore;
  bucket: () => Promise<Bucket>;
  /** Object keys start with this (artifacts.s3.prefix). */
  prefix: string;
  logger: Logger;
  /** After a failed upload, how long before the next try (default 30 s). */
  retryMs?: number;
}

export interface S3Uploader {
  /** Look for artifacts to move now (after a build's artifact arrived, and at start). */
  kick(): void;
  /** Resolves when nothing is being uploaded; stops later kicks. */
  close(): Promise<void>;
}

export function createS3Uploader(deps: S3UploaderDeps): S3Uploader {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  async function drain(): Promise<void> {
    const bucket = await deps.bucket();
    let after = 0;
    let failure: unknown;
    for (;;) {
      const rows = deps.artifacts.notInBucket(after);
      if (rows.length === 0) {
        if (failure) throw failure;
        return;
      }
      for (const row of rows) {
        if (closed) return;
        after = row.id;
        const key = `${deps.prefix}${row.build_id}/${row.path}`;
        let file: FileHandle;
        try {
          file = await open(row.stored_at, 'r');
        } catch {
          // Pruned or removed by hand: nothing to move.
          deps.logger.warn({ artifact: row.id }, `artifact ${row.stored_at} is gone from disk; not uploaded`);
          continue;
        }
        const body = file.createReadStream({ autoClose: false });
        try {
          // Streamed: an artifact may be far larger than the master's memory should hold.
          const { size } = await file.stat();
          await bucket.put(key, body, 'application/octet-stream', size);
        } catch (error) {
          // One object failing does not hold back the ones after it; the whole pass is tried again.
          failure ??= error;
          continue;
        } finally {
          body.destroy();
          await file.close();
        }
        if (closed) return; // the database may be closing; the row is moved again at the next start
        deps.artifacts.move(row.id, row.stored_at, bucket.url(key));
        // Two steps of a build may collect the same path: their rows share one local file, which the
        // later one overwrote. The file goes only when no later row still needs it (checked and
        // removed in one turn of the event loop, so a row applied meanwhile cannot lose its file).
        if (!deps.artifacts.laterSharing(row.stored_at, row.id)) {
          rmSync(row.stored_at, { force: true });
          await rmdir(path.dirname(row.stored_at)).catch(() => {}); // only when empty
        }
      }
    }
  }

  function kick(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(retry);
    running = drain()
      .catch((error: Error) => {
        deps.logger.warn({ err: error.message }, 'uploading artifacts to the bucket failed; they stay on disk and are tried again');
        if (!closed) retry = setTimeout(kick, deps.retryMs ?? 30_000);
      })
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          kick();
        }
      });
  }

  return {
    kick,
    async close() {
      closed = true;
      clearTimeout(retry);
      await running;
    },
  };
}
