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

/** Bumped on every incompatible change to these messages; compatible additions go behind `welcome.features`. */
export const PROTOCOL_VERSION = 1;

export type BuildResult = 'success' | 'failure' | 'error' | 'cancelled' | 'skipped';
export type StepResult = 'success' | 'failure' | 'error' | 'cancelled' | 'skipped';
export type LogStream = 'stdout' | 'stderr' | 'header';

/** A step as the worker runs it. Durations are milliseconds. */
export interface StepSpec {
  /** Position in the builder: "0", "1", and "2.0", "2.1" for children of a parallel group. */
  id: string;
  name: string;
  run?: string;
  /** Files to place in the work directory before `run`: path relative to it, and content. */
  upload?: UploadFile[];
  env: Record<string, string>;
  timeoutMs?: number;
  haltOnFailure: boolean;
  always: boolean;
  junit: string[];
  artifacts: string[];
  parallel?: StepSpec[];
  maxParallel?: number;
  /** Another build's artifacts to place in the work directory before `run`. */
  download?: ArtifactDownload;
}

/** What a step's `download` resolved to when the build was dispatched. */
export interface ArtifactDownload {
  /** The builder named in the config. */
  from: string;
  /** Its build whose artifacts these are; null when it has no successful build of this commit. */
  buildId: number | null;
  /** Fetched by the worker from the master: GET /api/worker/artifacts/<id>, with its own credentials. */
  files: Array<{ id: number; path: string; size: number; mode?: number }>;
}

export interface UploadFile {
  path: string;
  /** base64 */
  content: string;
  mode: number;
}

export interface VmSpec {
  image: string;
  memoryMiB: number;
  cpus: number;
  network: boolean;
}

export interface SourceSpec {
  /** Where the worker fetches from (a git URL or path); never carries a token. */
  cloneUrl: string;
  /** The ref to fetch (refs/pull/N/head, refs/heads/main…) and the commit expected at it. */
  ref: string;
  sha: string;
  /** When testing the merge result: the base ref to merge the head into. */
  mergeBase?: string;
}

export interface BuildSpec {
  buildId: number;
  builder: string;
  number: number;
  executor: 'vm' | 'host';
  vm?: VmSpec;
  repo: string;
  pr: number | null;
  sha: string;
  /** No source when the builder does not need one (e.g. rebuild of a tag-less push); else fetched. */
  source?: SourceSpec;
  timeoutMs: number;
  /** GATEHOUSE_* variables and the builder's env (secrets included). */
  env: Record<string, string>;
  /** Values to mask in every log line before it leaves the worker. */
  secrets: string[];
  steps: StepSpec[];
}

// ---- worker → master -------------------------------------------------------------------------

export interface Hello {
  type: 'hello';
  protocol: number;
  name: string;
  /** Random per worker process: a new one means a restart, and lost builds. */
  instanceId: string;
  version: string;
  arch: string[];
  slots: number;
  labels: string[];
  images: string[];
  /** Builds still running here (after a reconnect). */
  running: number[];
  /** The versions of each image family here (optional: older workers do not send it). */
  imageVersions?: ImageFamilyReport[];
}

/** One image of a worker and its versions (vm-image lifecycle: candidate → current → previous → obsolete). */
export interface ImageFamilyReport {
  image: string;
  /** The version builds boot now (the manifest's name for an image without versions). */
  current?: string;
  versions: Array<{ name: string; state: 'candidate' | 'current' | 'previous' | 'obsolete' | 'failed'; builtAt: string; verifiedAt?: string; lastUsedAt?: string; obsoleteAt?: string; failure?: string }>;
}

/** Which image version a build booted, and when (ms). */
export interface ImageUse {
  image: string;
  version?: string;
  at: number;
}

/** Not sequenced: a fresh snapshot of the worker's images, sent when they change (a switch, a prune), only to a master whose welcome lists the `images` feature; the next hello carries it too. */
export interface ImagesReport {
  type: 'images';
  imageVersions: ImageFamilyReport[];
}

interface Sequenced {
  seq: number;
}

export interface StepStarted extends Sequenced {
  type: 'step.started';
  buildId: number;
  step: string;
  name: string;
  at: number;
}

export interface LogChunk extends Sequenced {
  type: 'log';
  buildId: number;
  step: string;
  stream: LogStream;
  /** Whole lines (the last may lack its newline when a step ends or a chunk is full), masked. */
  data: string;
}

export interface StepFinished extends Sequenced {
  type: 'step.finished';
  buildId: number;
  step: string;
  result: StepResult;
  exitCode: number | null;
  durationMs: number;
  /** Why, when not plain success/failure: "timed out after 5m", "cancelled". */
  reason?: string;
}

export interface Artifact extends Sequenced {
  type: 'artifact';
  buildId: number;
  step: string;
  kind: 'junit' | 'file';
  /** Path relative to the work directory. */
  path: string;
  /** base64, for small files (JUnit XML, any file when the master takes no uploads). */
  content?: string;
  /** A file streamed to WORKER_UPLOADS_PATH before this message (exactly one of content and upload). */
  upload?: UploadedFile;
  /** Permission bits (0o755 for an executable); absent from older workers. */
  mode?: number;
}

/** What the master answers to an upload, and what the artifact message then names. */
export interface UploadedFile {
  /** The master's name for the upload. */
  id: string;
  /** Hex sha256 of the bytes, as the master computed it (the worker checks it against its own). */
  sha256: string;
  size: number;
}

export interface BuildFinished extends Sequenced {
  type: 'build.finished';
  buildId: number;
  result: BuildResult;
  reason?: string;
  /** The image version the build booted (vm builds; absent from older workers). */
  image?: ImageUse;
}

export type SequencedMessage = StepStarted | LogChunk | StepFinished | Artifact | BuildFinished;
export type WorkerMessage = Hello | ImagesReport | SequencedMessage;

// ---- master → worker -------------------------------------------------------------------------

export interface Welcome {
  type: 'welcome';
  protocol: number;
  /** The last seq of this worker instance the master has stored (0 for none). */
  ackedSeq: number;
  /** Builds the master no longer wants (cancelled or ended while the worker was away). */
  cancel: number[];
  /** Optional messages this master understands (`images`); a worker sends none the master did not list. */
  features?: string[];
}

export interface Refused {
  type: 'refused';
  reason: string;
}

export interface BuildStart {
  type: 'build.start';
  build: BuildSpec;
}

export interface BuildCancel {
  type: 'build.cancel';
  buildId: number;
  reason: string;
}

export interface Ack {
  type: 'ack';
  seq: number;
}

export type MasterMessage = Welcome | Refused | BuildStart | BuildCancel | Ack;

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
