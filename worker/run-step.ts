// One step that runs something (not a parallel group): step.started, its output as masked log
// chunks, its JUnit and other files as artifacts, then step.finished. Files are collected whatever
// the result: test reports matter most when the tests failed.
import { maskSecrets } from '../shared/mask-secrets.js';
import type { ArtifactDownload, LogStream as StreamName, StepResult, StepSpec, UploadFile } from '../shared/protocol.js';
import type { BuildContext } from './build-context.js';
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
    const uploads = step.download ? await downloadArtifacts(step.download, ctx, logs.header, signal) : [];
    const runnable = uploads.length > 0 ? { ...step, upload: [...(step.upload ?? []), ...uploads] } : step;
    const outcome = await ctx.executor.runStep(ctx.workspace, runnable, {
      env,
      onOutput: (stream, text) => logs[stream].write(text),
      signal,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    exitCode = outcome.exitCode;
    judged = judgeOutcome(outcome, { cancel: ctx.cancel, deadline: ctx.deadline, buildTimeoutMs: build.timeoutMs, stepTimeoutMs: timeoutMs });
  } catch (error) {
    judged = { result: 'error', reason: maskSecrets(`executor failed: ${(error as Error).message}`, build.secrets) };
    ctx.logger.error(`build ${build.buildId} step "${step.name}": ${judged.reason}`);
    logs.header.write(`gatehouse: ${judged.reason}\n`);
  }
  if (judged.result !== 'error') await collectArtifacts(step, ctx, logs.header);
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

function openLogs(step: StepSpec, ctx: BuildContext): Record<StreamName, LogStream> {
  const open = (stream: StreamName) =>
    new LogStream({
      secrets: ctx.build.secrets,
      emit: (data) => ctx.sink.send({ type: 'log', buildId: ctx.build.buildId, step: step.id, stream, data }),
    });
  return { header: open('header'), stdout: open('stdout'), stderr: open('stderr') };
}

async function collectArtifacts(step: StepSpec, ctx: BuildContext, header: LogStream): Promise<void> {
  const { build, sink } = ctx;
  const sent = new Set<string>();
  const kinds: Array<['junit' | 'file', string[]]> = [['junit', step.junit], ['file', step.artifacts]];
  for (const [kind, globs] of kinds) {
    if (globs.length === 0) continue;
    let files;
    try {
      files = await ctx.executor.collect(ctx.workspace, globs, ctx.maxArtifactBytes);
    } catch (error) {
      header.write(`gatehouse: collecting ${globs.join(' ')} failed: ${(error as Error).message}\n`);
      continue;
    }
    if (files.length === 0) header.write(`gatehouse: no file matches ${globs.join(' ')}\n`);
    for (const file of files) {
      if (sent.has(file.path)) continue;
      sent.add(file.path);
      if (!file.content) {
        header.write(`gatehouse: ${file.path} not sent: ${file.size} bytes, over the ${ctx.maxArtifactBytes}-byte limit\n`);
        continue;
      }
      // Test reports are published like logs, so they are masked like logs; other files may be binary.
      const content = kind === 'junit' ? Buffer.from(maskSecrets(file.content.toString('utf8'), build.secrets)) : file.content;
      sink.send({ type: 'artifact', buildId: build.buildId, step: step.id, kind, path: file.path, content: content.toString('base64') });
    }
  }
}

/** Another build's artifacts, as uploads at the paths they were collected from. */
async function downloadArtifacts(download: ArtifactDownload, ctx: BuildContext, header: LogStream, signal: AbortSignal): Promise<UploadFile[]> {
  if (download.buildId === null) throw new Error(`no successful build of "${download.from}" on this commit to download artifacts from`);
  if (!ctx.fetchArtifact) throw new Error('this worker cannot fetch artifacts from the master');
  const bytes = download.files.reduce((sum, f) => sum + f.size, 0);
  header.write(`gatehouse: downloading ${download.files.length} artifact(s), ${bytes} bytes, of ${download.from} build ${download.buildId}\n`);
  const uploads: UploadFile[] = [];
  for (const file of download.files) {
    const content = await ctx.fetchArtifact(file.id, signal);
    uploads.push({ path: file.path, content: content.toString('base64'), mode: 0o644 });
  }
  return uploads;
}
