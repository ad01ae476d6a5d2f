// Streams a large file artifact to the master (PUT WORKER_UPLOADS_PATH?build=<id>) before the
// `artifact` message that names it. The size goes ahead in a header (so an oversized file is
// refused before any byte moves) and the sha256, computed on the way, in a trailer: the master
// keeps the bytes only when both match, and its answer must name the same hash. What can pass
// (the master restarting, the network, a file that changed while it was read: 5xx, 408, 422, 429,
// a cut or silent connection) is tried again, the file opened afresh, until `retryForMs` has
// passed; any other refusal (409: not this worker's running build, 413: over the limit) is final.
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UPLOAD_SHA256_TRAILER, UPLOAD_SIZE_HEADER, WORKER_UPLOADS_PATH, type UploadedFile } from '../shared/protocol.js';
import type { BackoffOptions } from '../shared/backoff.js';
import { createWorkerBackoff } from './connection.js';
import type { MasterHttp } from './master-http.js';
import { sendFile } from './send-file.js';

export interface ArtifactUpload {
  buildId: number;
  open: () => Promise<Readable>;
  /** The file on this host, when it is one: then it is read directly (reused buffers, see send-file.ts), not through `open`. */
  localPath?: string;
  size: number;
  signal: AbortSignal;
}

export type ArtifactUploader = (upload: ArtifactUpload) => Promise<UploadedFile>;

export class UploadRefusedError extends Error {}

export interface UploaderOptions {
  /** Give up after this long of failed tries (default 10 min). */
  retryForMs?: number;
  /** Pauses between tries: the worker's reconnect backoff (jittered, so workers cut off by one master restart spread out). */
  backoff?: Partial<BackoffOptions>;
  /** A connection with no progress for this long is dropped and tried again (default 2 min). */
  idleMs?: number;
}

const PASSING = new Set([408, 422, 429]);

export function createArtifactUploader(master: MasterHttp, options: UploaderOptions = {}): ArtifactUploader {
  const retryForMs = options.retryForMs ?? 600_000;
  const idleMs = options.idleMs ?? 120_000;
  return async ({ buildId, open, localPath, size, signal }) => {
    const started = Date.now();
    const backoff = createWorkerBackoff(options.backoff);
    for (;;) {
      signal.throwIfAborted();
      try {
        return await uploadOnce(master, { buildId, body: localPath ?? (await open()), size, signal, idleMs });
      } catch (error) {
        const delay = backoff.next();
        if (error instanceof UploadRefusedError || signal.aborted || Date.now() - started + delay > retryForMs) throw error;
        await sleep(delay, undefined, { signal }).catch(() => {});
      }
    }
  };
}

/** `body`: the stream to send, or the path of a file on this host. */
async function uploadOnce(master: MasterHttp, up: { buildId: number; body: Readable | string; size: number; signal: AbortSignal; idleMs: number }): Promise<UploadedFile> {
  const url = master.url(`${WORKER_UPLOADS_PATH}?build=${up.buildId}`);
  const hash = createHash('sha256');
  const sent = { sha256: '' };
  const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
    method: 'PUT',
    // Chunked (a trailer needs it), not a content-length: a file that changed size must not leave
    // the master waiting for bytes that never come.
    headers: { ...master.headers, 'content-type': 'application/octet-stream', [UPLOAD_SIZE_HEADER]: String(up.size), trailer: UPLOAD_SHA256_TRAILER },
    signal: up.signal,
    // A connection of its own: one left half-read by a refused upload must not carry the next.
    agent: false,
  });
  request.setTimeout(up.idleMs, () => request.destroy(new Error(`no progress for ${up.idleMs / 1000} s`)));
  const addHashTrailer = () => {
    sent.sha256 = hash.digest('hex');
    request.addTrailers({ [UPLOAD_SHA256_TRAILER]: sent.sha256 });
  };
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // The master may answer (413, 409) before reading everything; its answer is what counts then.
  const sending = send(up.body, request, (chunk) => hash.update(chunk), addHashTrailer).catch((error: Error) => error);
  const body = up.body;
  const stopReading = () => typeof body !== 'string' && body.destroy();
  let answer: IncomingMessage;
  try {
    answer = await response;
  } catch (error) {
    stopReading();
    throw error;
  }
  const text = await readText(answer);
  const status = answer.statusCode ?? 0;
  // Refused early: the rest of the body is not wanted (and the master may have stopped reading it).
  if (status !== 201) request.destroy();
  stopReading();
  await sending;
  if (status !== 201) {
    if (status >= 500 || PASSING.has(status)) throw new Error(`the master answered ${status} ${errorText(text)}`);
    throw new UploadRefusedError(`the master refused it: ${status} ${errorText(text)}`);
  }
  // The trailer made the master check the bytes; its answer must still name what this worker read.
  const stored = JSON.parse(text) as UploadedFile;
  if (stored.sha256 !== sent.sha256 || stored.size !== up.size) throw new Error(`the master stored sha256 ${stored.sha256} (${stored.size} bytes), not ${sent.sha256} (${up.size} bytes)`);
  return stored;
}

/** Sends the body, each chunk through `onChunk`, then `beforeEnd` (the trailer), then ends the request. */
async function send(body: Readable | string, request: Writable, onChunk: (chunk: Buffer) => void, beforeEnd: () => void): Promise<void> {
  if (typeof body === 'string') {
    try {
      await sendFile(body, request, onChunk);
    } catch (error) {
      // As pipeline does for a stream: a file that cannot be read ends the request, so no answer is awaited.
      request.destroy(error as Error);
      throw error;
    }
    beforeEnd();
    request.end(); // the master's answer tells whether all of it arrived
    return;
  }
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onChunk(chunk);
      done(null, chunk);
    },
    flush(done) {
      beforeEnd();
      done();
    },
  });
  await pipeline(body, hashing, request);
}

async function readText(stream: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString();
  return text;
}

function errorText(body: string): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
