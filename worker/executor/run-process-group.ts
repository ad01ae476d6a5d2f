// Run one command as the leader of a new process group, so a timeout or a cancel reaches everything
// it started (`make -j`, `sleep 1000 &`), not just the shell: SIGTERM to the group, then SIGKILL
// after a grace period. When the leader exits, whatever it left running in its group is killed too:
// a step's processes end with the step, and nothing keeps its output pipe open. The host executor
// runs the step inside a PID namespace (step-isolation.ts): then the group is the namespace's
// wrapper and init, the init hands the SIGTERM to every process inside, and the kernel does the rest.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { LogStream } from '../../shared/protocol.js';
import type { StepOutcome } from './executor.js';

export interface ProcessGroupOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onOutput: (stream: LogStream, output: Buffer) => void | Promise<void>;
  signal: AbortSignal;
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** How long output may stay open after the leader exited, e.g. held by a process that left the group (default 5 s). */
  closeGraceMs?: number;
}

export function runProcessGroup(options: ProcessGroupOptions): Promise<StepOutcome> {
  const { signal, onOutput } = options;
  if (signal.aborted) return Promise.resolve({ exitCode: null, timedOut: false, cancelled: true });
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    let timedOut = false;
    let cancelled = false;
    let exited = false;
    let paused = 0;
    const timers: NodeJS.Timeout[] = [];
    // setTimeout fires at once past 2^31-1 ms; a timeout that long is as good as none.
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, Math.min(ms, 2 ** 31 - 1)));

    const stop = () => {
      if (exited || pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      later(options.killGraceMs ?? 5000, () => signalGroup(pid, 'SIGKILL'));
    };
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      later(options.timeoutMs, () => {
        timedOut = true;
        stop();
      });
    }

    const read = (stream: Readable, name: LogStream) => {
      // Bytes, not text: the log is stored as the step wrote it, without a decode and re-encode.
      stream.on('data', (output: Buffer) => {
        const wait = onOutput(name, output);
        if (!wait) return;
        stream.pause();
        paused++;
        const resume = () => {
          paused--;
          stream.resume();
        };
        wait.then(resume, resume);
      });
    };
    read(child.stdout, 'stdout');
    read(child.stderr, 'stderr');

    // A process that escaped the group (setsid) can hold the pipes forever; stop reading after a while,
    // unless reading is only paused because the master has not acked yet.
    const giveUpOnOutput = () => {
      if (paused > 0) return later(options.closeGraceMs ?? 5000, giveUpOnOutput);
      child.stdout.destroy();
      child.stderr.destroy();
    };

    child.on('exit', () => {
      exited = true;
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      later(options.closeGraceMs ?? 5000, giveUpOnOutput);
    });
    child.on('error', (error) => {
      finish();
      reject(error);
    });
    child.on('close', (code, killedBy) => {
      finish();
      resolve({ exitCode: code, ...(killedBy ? { signal: killedBy } : {}), timedOut, cancelled: cancelled && !timedOut });
    });

    function finish() {
      signal.removeEventListener('abort', onAbort);
      for (const timer of timers) clearTimeout(timer);
    }
  });
}

/** Signal every process of a group; one that is already gone is not an error. */
function signalGroup(pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
