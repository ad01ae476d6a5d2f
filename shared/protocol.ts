// The contract between master and worker: JSON messages over one WebSocket at /api/worker.
//
// Lifecycle
//   1. The worker dials `/api/worker` with `Authorization: Bearer <secret>` and `X-Gatehouse-Worker:
//      <name>`. A wrong name or secret gets HTTP 401 and the master records nothing.
//   2. worker → `hello` (protocol version, instance id, slots, arch, labels, images, the builds it is
//      still running). master → `welcome` with `ackedSeq`: the last message of this worker instance
//      it has stored. The worker drops everything up to it and sends the rest again, in order.
//      A master on another PROTOCOL_VERSION answers `refused` and closes; the message says which
//      side to upgrade.
//   3. master → `build.start` (everything the build needs: steps, env, secrets to mask).
//      worker → `step.started`, `log`…, `step.finished`, `artifact`, and finally `build.finished`.
//      master → `build.cancel` at any time; the worker stops the running step (its whole process
//      group), runs the `always` steps, then sends `build.finished` with result `cancelled`.
//   4. Every worker → master message after `hello` carries `seq`, increasing by one per message
//      for the life of the worker process (its `instanceId`). The master stores each seq once,
//      in the same transaction as its effect, and acks cumulatively (`ack`). A reconnect with the
//      same instanceId resumes; a new instanceId means the worker restarted and lost its builds.
//   5. Liveness: the master pings over the WebSocket; a worker silent past its grace period is lost,
//      its builds end as `error` (or are queued again once when no step had started).
//   6. Images over time: `hello.imageVersions` says each image's versions; after a switch or a prune
//      the worker sends an unsequenced `images` snapshot, only when `welcome.features` lists it (an
//      older master would close on an unknown message). `build.finished.image` names the version booted.
//   7. Large artifacts: when `welcome.features` lists `uploads`, a file artifact over
//      INLINE_ARTIFACT_BYTES is streamed first (HTTP PUT to WORKER_UPLOADS_PATH, same credentials as
//      the WebSocket); the master answers 201 with its sha256 once the bytes are on its disk, and the
//      `artifact` message then names that upload instead of carrying the content. The message stays
//      the one durable record: an upload without its message is swept after a day.
//   8. Log chunks as bytes: when `welcome.features` lists `log-frames`, a `log` goes as a binary
//      WebSocket frame (protocol/log-frame.ts), sequenced and acked like any other message.

/** Bumped on every incompatible change to these messages; compatible additions go behind `welcome.features`. */
export const PROTOCOL_VERSION = 1;

// The messages themselves, once each: zod schemas with their types inferred, and each side's parse.
export * from './protocol/fields.js';
export * from './protocol/build-spec.js';
export * from './protocol/worker-messages.js';
export * from './protocol/master-messages.js';
export * from './protocol/log-frame.js';

/** Header carrying the worker's name on the upgrade request. */
export const WORKER_NAME_HEADER = 'x-gatehouse-worker';
export const WORKER_PATH = '/api/worker';
/** The largest artifact sent inside a message (JUnit reports; any file to a master without `uploads`). */
export const MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;
/** File artifacts over this go by upload when the master offers it (a message holds up the others behind it). */
export const INLINE_ARTIFACT_BYTES = 1024 * 1024;
/**
 * PUT here (?build=<id>): one file artifact's bytes, chunked, with its size in UPLOAD_SIZE_HEADER and
 * its sha256 in the UPLOAD_SHA256_TRAILER trailer. 201 with an UploadedFile once on disk; 409 not a
 * build running on this worker; 413 over artifacts.maxFileMiB; 422 the bytes are not what was sent;
 * 507 the master's data disk has no room for it (tried again, like 5xx).
 */
export const WORKER_UPLOADS_PATH = '/api/worker/uploads';
export const UPLOAD_SIZE_HEADER = 'x-gatehouse-size';
export const UPLOAD_SHA256_TRAILER = 'x-gatehouse-sha256';
/** The largest message the master accepts: an artifact travels base64-encoded (4/3), plus the JSON around it. */
export const MAX_MESSAGE_BYTES = Math.ceil((MAX_ARTIFACT_BYTES * 4) / 3) + 1024 * 1024;
/** GET <this>/<artifact id>: a file artifact, for a step's `download` (same headers as the WebSocket). */
export const WORKER_ARTIFACTS_PATH = '/api/worker/artifacts';
