// Where a build's steps run, behind one lifecycle (after woodpecker's backend interface):
//   prepare (work directory, source) → runStep … (streams, exit code, kill) → collect → cleanup.
// The build runner calls cleanup for every workspace prepare returned, whatever happened.
// Around the builds, the executor itself: `ready` once it can take them, `close` when the worker stops.
// `host` runs on the worker host itself (development and demos); `vm` in a throwaway VM; the dummy
// executor (dummy-executor.ts) plays scripted steps in process, for tests.
import type { Readable } from 'node:stream';
import type { BuildSpec, ImageUse, LogStream, StepSpec } from '../../shared/protocol.js';

/** What prepare hands back. Executors may extend it with their own handles. */
export interface Workspace {
  buildId: number;
  /** The work directory: steps start there, with the source checked out in it. */
  dir: string;
  /** The image version the build booted (vm), reported with build.finished. */
  image?: ImageUse;
}

export interface RunStepOptions {
  /** The step's whole environment on top of the executor's base (PATH, HOME…). */
  env: Record<string, string>;
  /** Output as it comes, in arbitrary pieces: bytes, or text (sent as UTF-8). A returned promise pauses reading until it settles. */
  onOutput: (stream: LogStream, output: string | Buffer) => void | Promise<void>;
  /** Aborted on cancel (or the build's timeout): the step's processes are stopped. */
  signal: AbortSignal;
  /** Kill the step after this long; it then reports `timedOut`. */
  timeoutMs?: number;
  /** Streamed into the work directory with the step's uploads (another build's artifacts: `download`). */
  files?: StepFile[];
}

/** A file placed in the work directory from a stream (it may be too large to hold in memory). */
export interface StepFile {
  /** Relative to the work directory. */
  path: string;
  mode: number;
  open(): Promise<Readable>;
}

export interface StepOutcome {
  /** null when the process ended by a signal. */
  exitCode: number | null;
  /** The signal that ended it, if any (SIGTERM, SIGKILL…). */
  signal?: string;
  timedOut: boolean;
  cancelled: boolean;
}

export interface CollectedFile {
  /** Relative to the work directory, with forward slashes. */
  path: string;
  size: number;
  /** Permission bits (0o644, 0o755…). */
  mode: number;
  /** Absent when the file is larger than the `maxBytes` asked for: then `open` reads it. */
  content?: Buffer;
  open?(): Promise<Readable>;
  /** Set when the file is on this host (the host executor): an upload reads it there directly, not through `open`. */
  localPath?: string;
}

export interface Executor<W extends Workspace = Workspace> {
  readonly kind: 'host' | 'vm';
  /** Settles once the executor can take builds (the VM executor: after sweeping leftovers; rejects when it cannot). Absent: ready at once. */
  readonly ready?: Promise<void>;
  /** Release what the executor holds beyond single builds (pooled VMs, connections). Absent: nothing to release. */
  close?(): Promise<void>;
  /** Make the work directory and check the source out in it (build.source). */
  prepare(build: BuildSpec, signal: AbortSignal): Promise<W>;
  /** Write the step's uploads, then run its `run` (if any) to the end, a timeout or a cancel. */
  runStep(workspace: W, step: StepSpec, options: RunStepOptions): Promise<StepOutcome>;
  /** Files matching the globs (relative to the work directory, never outside it). */
  collect(workspace: W, globs: string[], maxBytes: number): Promise<CollectedFile[]>;
  /** Remove everything the build left (processes, files). Never throws for what is already gone. */
  cleanup(workspace: W): Promise<void>;
}
