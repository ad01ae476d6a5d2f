// One step that runs something (not a parallel group): step.started, its output as masked log
// chunks, its JUnit and other files as artifacts, then step.finished. Files are collected whatever
// the result: test reports matter most when the tests failed.
import { maskSecrets } from '../shared/mask-secrets.js';
import { type ArtifactDownload, INLINE_ARTIFACT_BYTES, type LogStream as StreamName, type StepResult, type StepSpec } from '../shared/protocol.js';
import type { BuildContext } from './build-context.js';
import type { StepFile } from './executor/executor.js';
import { LogStream } from './log-stream.js';
import { judgeOutcome } from './step-outcome.js';

export interface StepInherited {
  /** Runs even after a failure or a cancel (its own flag or its group's). */
  always: boolean;
  /** The enclosing groups' env, under the step's own. */
  env: Record<string, string>;
}

export async function runLeafStep(step: StepSpec, ctx: BuildContext, inherited: StepInherited): Promise<StepResult> {
  const { build, sink, state } = ctx;
  const started = Date.now();
  sink.send({ type: 'step.started', buildId: build.buildId, step: step.id, name: step.name, at: started });
  const logs = openLogs(step, ctx);

  // `always` steps are cleanup: a cancel or the build's timeout must not stop them, their own timeout does.
  const timeoutMs = inherited.always ? (step.timeoutMs ?? ctx.alwaysTimeoutMs) : step.timeoutMs;
  const signal = inherited.always ? new AbortController().signal : ctx.stop;
  const env = { ...build.env, ...inherited.env, ...step.env, GATEHOUSE_STEP: step.name, GATEHOUSE_RESULT: state.result() };

  let judged: { result: StepResult; reason?: string };
  let exitCode: number | null = null;
  try {
    const files = step.download ? downloadArtifacts(step.download, ctx, logs.header, signal) : [];
    const outcome = await ctx.executor.runStep(ctx.workspace, step, {
      env,
      onOutput: (stream, output) => logs[stream].write(output),
      signal,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(files.length > 0 ? { files } : {}),
    });
    exitCode = outcome.exitCode;
    judged = judgeOutcome(outcome, { cancel: ctx.cancel, deadline: ctx.deadline, buildTimeoutMs: build.timeoutMs, stepTimeoutMs: timeoutMs });
  } catch (error) {
    judged = { result: 'error', reason: maskSecrets(`executor failed: ${(error as Error).message}`, build.secrets) };
    ctx.logger.error(`build ${build.buildId} step "${step.name}": ${judged.reason}`);
    logs.header.write(`gatehouse: ${judged.reason}\n`);
  }
  if (judged.result !== 'error') {
    const lost = await collectArtifacts(step, ctx, logs.header, signal);
    // A green step whose files did not all reach the master must not pass for complete.
    if (lost.length > 0 && judged.result === 'success') judged = { result: 'error', reason: `artifact ${lost.join(', ')} not stored` };
  }
  for (const log of Object.values(logs)) void log.end();

  sink.send({
    type: 'step.finished',
    buildId: build.buildId,
    step: step.id,
    result: judged.result,
    exitCode,
    durationMs: Date.now() - started,
    ...(judged.reason !== undefined ? { reason: judged.reason } : {}),
  });
  if (judged.result === 'failure') {
    state.failed = true;
    if (judged.reason?.startsWith('build timed out')) state.halt(`not run: ${judged.reason}`, judged.reason.slice('build '.length));
    else state.reason ??= `step "${step.name}" ${judged.reason ?? `failed (exit code ${exitCode})`}`;
  }
  if (judged.result === 'error') {
    state.errored = true;
    state.reason ??= `step "${step.name}": ${judged.reason}`;
  }
  if (judged.result === 'cancelled') {
    state.cancelled = true;
    state.halt('not run: the build was cancelled');
  }
  return judged.result;
}

/** Each chunk's bytes are lent for the call only: the sink (the outbox) copies them into its frame. */
function openLogs(step: StepSpec, ctx: BuildContext): Record<StreamName, LogStream> {
  const open = (stream: StreamName) =>
    new LogStream({
      secrets: ctx.build.secrets,
      emit: (data) => ctx.sink.send({ type: 'log', buildId: ctx.build.buildId, step: step.id, stream, data }),
    });
  return { header: open('header'), stdout: open('stdout'), stderr: open('stderr') };
}

/** Sends the step's JUnit reports and files to the master; returns the paths that did not get there. */
async function collectArtifacts(step: StepSpec, ctx: BuildContext, header: LogStream, signal: AbortSignal): Promise<string[]> {
  const { build, sink } = ctx;
  const uploader = ctx.uploader?.();
  const sent = new Set<string>();
  const lost: string[] = [];
  const kinds: Array<['junit' | 'file', string[]]> = [['junit', step.junit], ['file', step.artifacts]];
  for (const [kind, globs] of kinds) {
    if (globs.length === 0) continue;
    // JUnit reports are masked, so read whole; files over the inline size are streamed when the master takes uploads.
    const inlineBytes = kind === 'file' && uploader ? Math.min(INLINE_ARTIFACT_BYTES, ctx.maxArtifactBytes) : ctx.maxArtifactBytes;
    let files;
    try {
      files = await ctx.executor.collect(ctx.workspace, globs, inlineBytes);
    } catch (error) {
      header.write(`gatehouse: collecting ${globs.join(' ')} failed: ${(error as Error).message}\n`);
      continue;
    }
    if (files.length === 0) header.write(`gatehouse: no file matches ${globs.join(' ')}\n`);
    for (const file of files) {
      if (sent.has(file.path)) continue;
      sent.add(file.path);
      const base = { type: 'artifact', buildId: build.buildId, step: step.id, kind, path: file.path, mode: file.mode } as const;
      if (file.content) {
        // Test reports are published like logs, so they are masked like logs; other files may be binary.
        const content = kind === 'junit' ? Buffer.from(maskSecrets(file.content.toString('utf8'), build.secrets)) : file.content;
        sink.send({ ...base, content: content.toString('base64') });
      } else if (kind === 'file' && uploader && file.open) {
        try {
          const upload = await uploader({ buildId: build.buildId, open: file.open, localPath: file.localPath, size: file.size, signal });
          header.write(`gatehouse: ${file.path}: ${file.size} bytes stored, sha256 ${upload.sha256}\n`);
          sink.send({ ...base, upload });
        } catch (error) {
          header.write(`gatehouse: ${file.path} not stored: ${maskSecrets((error as Error).message, build.secrets)}\n`);
          lost.push(file.path);
        }
      } else {
        header.write(`gatehouse: ${file.path} not stored: ${file.size} bytes, over the ${inlineBytes}-byte limit of ${kind === 'junit' ? 'a test report' : 'this master (it takes no uploads)'}\n`);
        lost.push(file.path);
      }
    }
  }
  return lost;
}

/** Another build's artifacts, streamed from the master into the work directory at the paths they were collected from. */
function downloadArtifacts(download: ArtifactDownload, ctx: BuildContext, header: LogStream, signal: AbortSignal): StepFile[] {
  if (download.buildId === null) throw new Error(`no successful build of "${download.from}" on this commit to download artifacts from`);
  const fetchArtifact = ctx.fetchArtifact;
  if (!fetchArtifact) throw new Error('this worker cannot fetch artifacts from the master');
  const bytes = download.files.reduce((sum, f) => sum + f.size, 0);
  header.write(`gatehouse: downloading ${download.files.length} artifact(s), ${bytes} bytes, of ${download.from} build ${download.buildId}\n`);
  // Executables stay executable; a file from an older worker (no mode recorded) is plain.
  return download.files.map((file) => ({ path: file.path, mode: file.mode ?? 0o644, open: () => fetchArtifact(file.id, signal) }));
}
