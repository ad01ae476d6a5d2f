// What every part of a running build shares: the spec, the executor and its workspace, where
// messages go, the signals that stop it, and the result so far.
import type { BuildResult, BuildSpec } from '../shared/protocol.js';
import type { Executor, Workspace } from './executor/executor.js';
import type { ArtifactFetcher } from './fetch-artifact.js';
import type { ArtifactUploader } from './upload-artifact.js';
import type { Logger } from '../shared/logger.js';
import type { Unsequenced } from './outbox.js';

export interface BuildSink {
  /** Queue a message for the master. A returned promise asks producers of output to wait (backpressure). */
  send(message: Unsequenced): void | Promise<void>;
}

/** The result so far, and why later steps are skipped. */
export class BuildState {
  failed = false;
  errored = false;
  cancelled = false;
  /** Set once non-`always` steps stop running; it is the reason their step.finished carries. */
  haltReason: string | undefined;
  /** Why the build ended as it did, for build.finished (first cause wins). */
  reason: string | undefined;

  halt(skipReason: string, buildReason?: string): void {
    this.haltReason ??= skipReason;
    if (buildReason !== undefined) this.reason ??= buildReason;
  }

  /** Also what `always` steps see in GATEHOUSE_RESULT. A cancel wins: the master asked for it. */
  result(): Exclude<BuildResult, 'skipped'> {
    if (this.cancelled) return 'cancelled';
    if (this.errored) return 'error';
    if (this.failed) return 'failure';
    return 'success';
  }
}

export interface BuildContext {
  build: BuildSpec;
  executor: Executor;
  workspace: Workspace;
  sink: BuildSink;
  logger: Logger;
  /** Aborted when the master cancels the build. */
  cancel: AbortSignal;
  /** Aborted when the whole build's timeout passes. */
  deadline: AbortSignal;
  /** Either of them: what stops a running non-`always` step. */
  stop: AbortSignal;
  state: BuildState;
  /** Timeout of an `always` step without its own (they ignore cancel and the build timeout). */
  alwaysTimeoutMs: number;
  /** The largest artifact sent inside a message (JUnit reports; any file while the master takes no uploads). */
  maxArtifactBytes: number;
  /** Streams large file artifacts to the master; undefined while the master takes no uploads. */
  uploader?: () => ArtifactUploader | undefined;
  /** Gets another build's artifact from the master (steps with `download`); absent: such steps error. */
  fetchArtifact?: ArtifactFetcher;
}
