// Runs one BuildSpec from prepare to cleanup and tells the master everything through the sink:
// steps in order, parallel groups up to maxParallel, haltOnFailure, `always` steps after a failure
// or cancel, timeouts per step and per build. Every step gets a step.finished, `skipped` for those
// that did not run, and the build always ends with one build.finished. It never throws.
import { maskSecrets } from '../shared/mask-secrets.js';
import { type BuildResult, type BuildSpec, type ImageUse, MAX_ARTIFACT_BYTES, type StepResult, type StepSpec } from '../shared/protocol.js';
import { type BuildContext, type BuildSink, BuildState } from './build-context.js';
import type { Executor } from './executor/executor.js';
import type { ArtifactFetcher } from './fetch-artifact.js';
import type { ArtifactUploader } from './upload-artifact.js';
import type { Logger } from '../shared/logger.js';
import { runLeafStep, type StepInherited } from './run-step.js';
import { shortDuration } from './step-outcome.js';
import { SourceMovedError } from './source-cache.js';

export type { BuildSink } from './build-context.js';

export interface RunBuildOptions {
  executor: Executor;
  sink: BuildSink;
  /** Aborted when the master cancels the build; its reason (a string) ends up in build.finished. */
  signal: AbortSignal;
  logger: Logger;
  /** Timeout of an `always` step that has none (default 10 min): they outlive cancels and build timeouts. */
  alwaysTimeoutMs?: number;
  /** The largest artifact sent inside a message (default and most: MAX_ARTIFACT_BYTES, 16 MiB, what the master accepts). */
  maxArtifactBytes?: number;
  /** Gets another build's artifact from the master, for steps with `download`. */
  fetchArtifact?: ArtifactFetcher;
  /** Streams large file artifacts to the master; undefined while the master takes no uploads. */
  uploader?: () => ArtifactUploader | undefined;
}

/** setTimeout fires at once for anything longer (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface GroupHalt {
  reason?: string;
}

export async function runBuild(build: BuildSpec, options: RunBuildOptions): Promise<BuildResult> {
  const state = new BuildState();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), Math.min(build.timeoutMs, MAX_TIMER_MS));
  const stop = AbortSignal.any([options.signal, deadline.signal]);
  const base = { build, sink: options.sink, logger: options.logger, cancel: options.signal, deadline: deadline.signal, stop, state };
  try {
    let workspace;
    try {
      workspace = await options.executor.prepare(build, stop);
    } catch (error) {
      noticeStops(base);
      if (error instanceof SourceMovedError && !state.cancelled && !state.failed) {
        // As the master's own cancel of a superseded build says it (change-processor.ts).
        state.cancelled = true;
        state.halt('not run: the build was superseded', `superseded by ${error.tip.slice(0, 7)}`);
      }
      if (!state.cancelled && !state.failed) state.errored = true;
      state.halt('not run: the build could not be prepared', maskSecrets(`prepare failed: ${(error as Error).message}`, build.secrets));
      options.logger.error(`build ${build.buildId}: ${state.reason}`);
      for (const step of build.steps) skipTree(step, base, state.haltReason ?? '');
      return finish(build, options, state);
    }
    const ctx: BuildContext = {
      ...base,
      executor: options.executor,
      workspace,
      alwaysTimeoutMs: options.alwaysTimeoutMs ?? 600_000,
      maxArtifactBytes: Math.min(options.maxArtifactBytes ?? MAX_ARTIFACT_BYTES, MAX_ARTIFACT_BYTES),
      ...(options.fetchArtifact ? { fetchArtifact: options.fetchArtifact } : {}),
      ...(options.uploader ? { uploader: options.uploader } : {}),
    };
    try {
      for (const step of build.steps) {
        const result = await runTree(step, ctx, { always: false, env: {} }, {});
        if (result === 'failure' && step.haltOnFailure) state.halt(`not run: step "${step.name}" failed`);
        if (result === 'error') state.halt(`not run: step "${step.name}" hit an error`);
      }
    } catch (error) {
      // A bug here must still end the build for the master.
      state.errored = true;
      state.reason ??= `worker error: ${(error as Error).message}`;
      options.logger.error(`build ${build.buildId}: ${(error as Error).stack ?? String(error)}`);
    } finally {
      await options.executor.cleanup(workspace).catch((error: Error) => options.logger.warn(`build ${build.buildId}: cleanup failed: ${error.message}`));
    }
    return finish(build, options, state, workspace.image);
  } finally {
    clearTimeout(timer);
  }
}

/** A build that will not run at all (cancelled while waiting for a slot): every step skipped, then build.finished. */
export function reportBuildNotRun(build: BuildSpec, sink: BuildSink, result: BuildResult, reason: string): void {
  for (const step of build.steps) skipTree(step, { build, sink }, `not run: ${reason}`);
  sink.send({ type: 'build.finished', buildId: build.buildId, result, reason });
}

function finish(build: BuildSpec, options: RunBuildOptions, state: BuildState, image?: ImageUse): BuildResult {
  const result = state.result();
  const reason = result === 'cancelled' ? cancelReason(options.signal, state.reason) : result === 'success' ? undefined : state.reason;
  options.sink.send({ type: 'build.finished', buildId: build.buildId, result, ...(reason !== undefined ? { reason } : {}), ...(image ? { image } : {}) });
  return result;
}

/** The master's reason for its cancel; else the build's own (superseded, seen by the worker first). */
function cancelReason(signal: AbortSignal, own: string | undefined): string {
  if (signal.aborted) return typeof signal.reason === 'string' && signal.reason !== '' ? `cancelled: ${signal.reason}` : 'cancelled';
  return own ? `cancelled: ${own}` : 'cancelled';
}

type StopContext = Pick<BuildContext, 'build' | 'sink' | 'cancel' | 'deadline' | 'state'>;

/** A cancel or the build timeout, noticed before a step starts: it and what follows are skipped. */
function noticeStops(ctx: StopContext): void {
  if (ctx.cancel.aborted && !ctx.state.cancelled) {
    ctx.state.cancelled = true;
    ctx.state.halt('not run: the build was cancelled');
  }
  if (ctx.deadline.aborted && !ctx.state.cancelled) {
    const after = shortDuration(ctx.build.timeoutMs);
    ctx.state.failed = true;
    ctx.state.halt(`not run: build timed out after ${after}`, `timed out after ${after}`);
  }
}

async function runTree(step: StepSpec, ctx: BuildContext, inherited: StepInherited, group: GroupHalt): Promise<StepResult> {
  const always = step.always || inherited.always;
  if (!always) noticeStops(ctx);
  const halted = ctx.state.haltReason ?? group.reason;
  if (halted !== undefined && !always) {
    skipTree(step, ctx, halted);
    return 'skipped';
  }
  const mine: StepInherited = { always, env: inherited.env };
  return step.parallel ? runGroup(step, step.parallel, ctx, mine) : runLeafStep(step, ctx, mine);
}

async function runGroup(group: StepSpec, children: StepSpec[], ctx: BuildContext, inherited: StepInherited): Promise<StepResult> {
  const started = Date.now();
  ctx.sink.send({ type: 'step.started', buildId: ctx.build.buildId, step: group.id, name: group.name, at: started });
  const local: GroupHalt = {};
  const env = { ...inherited.env, ...group.env };
  const results = await mapLimited(children, group.maxParallel ?? children.length, async (child) => {
    const result = await runTree(child, ctx, { always: inherited.always, env }, local);
    // A failed child stops its group from starting more children; the ones running finish.
    if ((result === 'failure' && child.haltOnFailure) || result === 'error') local.reason ??= `not run: step "${child.name}" failed`;
    return result;
  });
  const result = groupResult(results);
  ctx.sink.send({ type: 'step.finished', buildId: ctx.build.buildId, step: group.id, result, exitCode: null, durationMs: Date.now() - started });
  return result;
}

function groupResult(results: StepResult[]): StepResult {
  for (const r of ['cancelled', 'error', 'failure', 'success'] as const) if (results.includes(r)) return r;
  return 'skipped';
}

function skipTree(step: StepSpec, ctx: Pick<BuildContext, 'build' | 'sink'>, reason: string): void {
  for (const child of step.parallel ?? []) skipTree(child, ctx, reason);
  ctx.sink.send({ type: 'step.finished', buildId: ctx.build.buildId, step: step.id, result: 'skipped', exitCode: null, durationMs: 0, reason });
}

/** Like Promise.all over `items`, with at most `limit` calls running at once; results in input order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
