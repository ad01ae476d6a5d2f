// One step inside the VM. The step's environment and command go in a small script on the channel's
// stdin (so no value is ever parsed from a remote shell's command line, and no round trip is spent
// writing a file); the command runs as the leader of its own session under `setsid`, and its
// process group id is written to a file. A timeout or a cancel sends
// SIGTERM to that whole group through a second SSH channel, then SIGKILL after a grace period.
// When the leader exits, whatever it left in its group is killed too (as the host executor does),
// so nothing keeps the channel's output open.
import { Readable } from 'node:stream';
import type { StepOutcome, RunStepOptions } from '../executor.js';
import { GUEST_STATE, GUEST_WORKDIR } from './guest-paths.js';
import type { PreparedExec, SshSession } from './ssh-session.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** POSIX single-quoting. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What the wrapper evaluates: the step's exports, and its command in `run_cmd` (not exported). */
export function stepScript(run: string, env: Record<string, string>): string {
  const exports = Object.entries(env)
    .filter(([name]) => NAME.test(name))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  return `${exports.join('\n')}\nrun_cmd=${shellQuote(run)}\n`;
}

export interface RemoteStepOptions extends RunStepOptions {
  /** A file-name-safe id, unique within the build. */
  key: string;
  /** Between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
}

/**
 * The command that runs one step. It reads the step's script from stdin (builtins only), then runs
 * `bash -eo pipefail -c` as the leader of a new session in the work directory. Under TCG every exec
 * costs tens of milliseconds, so the chain is kept to two: this bash, and setsid's bash.
 */
export function stepWrapper(key: string): string {
  const wrapper = [
    "IFS= read -r -d '' script; eval \"$script\"",
    `cd ${GUEST_WORKDIR} || exit 125`,
    'setsid bash -eo pipefail -c "$run_cmd" </dev/null & p=$!',
    `echo "$p" > ${GUEST_STATE}/step-${key}.pgid`,
    'wait "$p"; c=$?',
    'kill -KILL -- -"$p" 2>/dev/null',
    'exit "$c"',
  ].join('\n');
  return `bash -c ${shellQuote(wrapper)}`;
}

/** Run a step; `prepared` is a channel already opened with stepWrapper(options.key). */
export async function runRemoteStep(session: SshSession, run: string, options: RemoteStepOptions, prepared?: PreparedExec): Promise<StepOutcome> {
  if (options.signal.aborted) return { exitCode: null, timedOut: false, cancelled: true };
  const pgidFile = `${GUEST_STATE}/step-${options.key}.pgid`;

  let timedOut = false;
  let cancelled = false;
  let finished = false;
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, Math.min(ms, 2 ** 31 - 1)));
  const signalGroup = (sig: 'TERM' | 'KILL') => {
    if (finished) return;
    // The pgid file may not be written yet when a stop comes right after the start.
    const command = `for i in $(seq 50); do [ -s ${pgidFile} ] && break; sleep 0.1; done; kill -${sig} -- -"$(cat ${pgidFile})" 2>/dev/null; true`;
    session.exec(command).catch(() => {});
  };
  const stop = () => {
    signalGroup('TERM');
    later(options.killGraceMs ?? 5000, () => signalGroup('KILL'));
  };
  const onAbort = () => {
    cancelled = true;
    stop();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.timeoutMs !== undefined) {
    later(options.timeoutMs, () => {
      timedOut = true;
      stop();
    });
  }

  try {
    const result = await (prepared ?? session.prepareExec(stepWrapper(options.key))).run({
      stdin: () => Readable.from([Buffer.from(stepScript(run, options.env))]),
      onStdout: (text) => options.onOutput('stdout', text),
      onStderr: (text) => options.onOutput('stderr', text),
    });
    const stopped = timedOut || cancelled;
    // bash reports a member killed by signal N as 128+N; say which signal when we sent it.
    const bySignal = stopped && result.code !== null && result.code > 128 ? signalName(result.code - 128) : undefined;
    return {
      exitCode: bySignal ? null : result.code,
      ...(bySignal ? { signal: bySignal } : result.signal ? { signal: result.signal } : {}),
      timedOut,
      cancelled: cancelled && !timedOut,
    };
  } finally {
    finished = true;
    options.signal.removeEventListener('abort', onAbort);
    for (const timer of timers) clearTimeout(timer);
  }
}

function signalName(n: number): string {
  return ({ 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' } as Record<number, string>)[n] ?? `signal ${n}`;
}
