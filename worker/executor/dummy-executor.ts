// The `dummy` executor (after woodpecker's dummy backend): plays each step's `run` as a small script,
// in process, with no process, VM, network or disk. For tests of everything around the executor (the
// connection, slots, backpressure, cancels, the outbox), which a real executor only slows down.
//
// A script is commands, one per line or separated by `;`:
//   echo TEXT          a line on stdout; `echo TEXT >&2` on stderr. Surrounding quotes are dropped.
//   lines N TEXT       N lines of TEXT on stdout, in pipe-sized pieces (64 KiB): volume, quickly
//   sleep SECONDS      wait; a cancel or the step's timeout ends the step there
//   write PATH TEXT    a file in the workspace (for `artifacts` and `junit`)
//   exit CODE          end the step with this exit code; `true` goes on, `false` is `exit 1`
//   repeat N: A; B     (a line of its own) the rest of the line, N times, with $i counting from 1
// `$NAME` and `${NAME}` are the step's environment. The script ends with exit code 0; an unknown
// command ends it with 127, like a shell's "command not found".
import type { Readable } from 'node:stream';
import type { BuildSpec, StepSpec } from '../../shared/protocol.js';
import type { CollectedFile, Executor, RunStepOptions, StepOutcome, Workspace } from './executor.js';

/** The dummy's workspace: its files live in memory, under a name that is not a real directory. */
export interface DummyWorkspace extends Workspace {
  files: Map<string, { content: Buffer; mode: number }>;
}

export interface DummyExecutorOptions {
  /** The kind it stands in for (default host). */
  kind?: 'host' | 'vm';
}

export function createDummyExecutor(options: DummyExecutorOptions = {}): Executor<DummyWorkspace> {
  return {
    kind: options.kind ?? 'host',

    async prepare(build: BuildSpec): Promise<DummyWorkspace> {
      return { buildId: build.buildId, dir: `dummy:build-${build.buildId}`, files: new Map() };
    },

    async runStep(workspace: DummyWorkspace, step: StepSpec, run: RunStepOptions): Promise<StepOutcome> {
      for (const file of step.upload ?? []) workspace.files.set(file.path, { content: Buffer.from(file.content, 'base64'), mode: file.mode });
      for (const file of run.files ?? []) workspace.files.set(file.path, { content: await readAll(await file.open()), mode: file.mode });
      if (step.run === undefined) return { exitCode: 0, timedOut: false, cancelled: false };
      return playScript(step.run, workspace, run);
    },

    async collect(workspace: DummyWorkspace, globs: string[], maxBytes: number): Promise<CollectedFile[]> {
      const patterns = globs.map(globToRegExp);
      return [...workspace.files]
        .filter(([name]) => patterns.some((p) => p.test(name)))
        .map(([name, file]) => ({ path: name, size: file.content.length, mode: file.mode, ...(file.content.length <= maxBytes ? { content: file.content } : {}) }));
    },

    async cleanup(workspace: DummyWorkspace): Promise<void> {
      workspace.files.clear();
    },
  };
}

async function playScript(script: string, workspace: DummyWorkspace, run: RunStepOptions): Promise<StepOutcome> {
  // The step's own timeout and the runner's cancel both stop it; which one is told apart at the end.
  const timeout = run.timeoutMs !== undefined ? AbortSignal.timeout(run.timeoutMs) : undefined;
  const stop = timeout ? AbortSignal.any([run.signal, timeout]) : run.signal;
  const stopped = (): StepOutcome => ({ exitCode: null, signal: 'SIGTERM', timedOut: timeout?.aborted === true && !run.signal.aborted, cancelled: run.signal.aborted });
  for (const line of script.split('\n')) {
    const loop = /^\s*repeat\s+(\d+)\s*:(.*)$/.exec(line);
    const times = loop ? Number(loop[1]) : 1;
    const body = loop ? (loop[2] ?? '') : line;
    for (let i = 1; i <= times; i++) {
      const vars = loop ? { ...run.env, i: String(i) } : run.env;
      for (const command of body.split(';')) {
        if (stop.aborted) return stopped();
        const exit = await playCommand(expand(command.trim(), vars), workspace, run, stop);
        if (stop.aborted) return stopped();
        if (exit !== undefined) return { exitCode: exit, timedOut: false, cancelled: false };
      }
    }
  }
  return { exitCode: 0, timedOut: false, cancelled: false };
}

const PIPE_BYTES = 64 * 1024;

/** Runs one command; an exit code when the script ends here. */
async function playCommand(command: string, workspace: DummyWorkspace, run: RunStepOptions, stop: AbortSignal): Promise<number | undefined> {
  const [name = '', ...words] = command.split(/\s+/);
  const rest = command.slice(name.length).trim();
  switch (name) {
    case '':
    case 'true':
      return undefined;
    case 'false':
      return 1;
    case 'exit':
      return Number(words[0] ?? 0);
    case 'echo': {
      const toStderr = rest.endsWith('>&2');
      await run.onOutput(toStderr ? 'stderr' : 'stdout', `${unquote(toStderr ? rest.slice(0, -3).trim() : rest)}\n`);
      return undefined;
    }
    case 'lines': {
      const line = `${unquote(words.slice(1).join(' '))}\n`;
      const perPiece = Math.max(1, Math.floor(PIPE_BYTES / line.length));
      for (let left = Number(words[0] ?? 0); left > 0 && !stop.aborted; left -= perPiece) await run.onOutput('stdout', line.repeat(Math.min(left, perPiece)));
      return undefined;
    }
    case 'sleep':
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stop.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Number(words[0] ?? 0) * 1000);
        stop.addEventListener('abort', done, { once: true });
      });
      return undefined;
    case 'write': {
      const [file = '', ...text] = words;
      workspace.files.set(file, { content: Buffer.from(unquote(text.join(' '))), mode: 0o644 });
      return undefined;
    }
    default:
      await run.onOutput('stderr', `dummy: ${name}: command not found\n`);
      return 127;
  }
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => vars[braced ?? bare ?? ''] ?? '');
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

/** `*` within a path segment, `**` across segments, `?` one character: enough for the tests' globs. */
function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?|\*|\?/g, (m) => (m === '?' ? '[^/]' : m === '*' ? '[^/]*' : '.*'));
  return new RegExp(`^${source}$`);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
