// How the host executor fences a step in: a PID namespace of its own, so that every process the step
// starts ends with it, `setsid` and double-fork escapes included, and with the worker if that dies.
//   setpriv --pdeathsig SIGKILL    the worker dies (even by SIGKILL): unshare gets SIGKILL…
//   unshare --pid --fork --kill-child   …and kills the namespace's PID 1; when PID 1 ends, for any
//                                   reason, the kernel kills every other process in the namespace.
//   bash -p -c STEP_INIT           PID 1: runs the step as its child, hands a SIGTERM to everything
//                                  in the namespace (PID 1 ignores signals it has no handler for, so
//                                  the step itself must not be PID 1), and exits with the step's status.
// A worker without root needs a user namespace too; where the kernel allows neither, steps run in a
// process group as before, and the worker says so once at start.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type StepIsolation = { kind: 'pid-namespace'; wrapper: string[]; description: string } | { kind: 'none'; reason: string };

// Its own stderr goes to /dev/null so job notices ("[1]+ Terminated") never reach the step's log;
// the step gets the original stderr back (fd 3). `set -m` keeps SIGINT usable in the step (without
// job control bash would start it with SIGINT ignored). `kill -TERM -1` from PID 1 reaches every
// other process in the namespace. The loop: a trapped TERM interrupts `wait` before the step ends.
const STEP_INIT = [
  'exec 3>&2 2>/dev/null',
  'set -m',
  "trap 'kill -TERM -1' TERM",
  '"$@" 2>&3 3>&- &',
  'step=$!',
  'while :; do wait "$step"; status=$?; kill -0 "$step" || break; done',
  'exit "$status"',
].join('\n');

/** The command that runs `command args` as this isolation says. */
export function isolatedCommand(isolation: StepIsolation, command: string, args: string[]): { command: string; args: string[] } {
  if (isolation.kind === 'none') return { command, args };
  const [first, ...rest] = isolation.wrapper as [string, ...string[]];
  // -p: the init reads no BASH_ENV, SHELLOPTS or exported functions meant for the step (which still gets them).
  return { command: first, args: [...rest, '--', 'bash', '-p', '-c', STEP_INIT, 'gatehouse-step-init', command, ...args] };
}

let probed: Promise<StepIsolation> | undefined;

/** The strongest isolation this process may use, found once by trying it. */
export function stepIsolation(): Promise<StepIsolation> {
  probed ??= probeStepIsolation();
  return probed;
}

export async function probeStepIsolation(uid = process.getuid?.() ?? 0, env: NodeJS.ProcessEnv = process.env): Promise<StepIsolation> {
  const pid = ['setpriv', '--pdeathsig', 'SIGKILL', '--', 'unshare', '--pid', '--fork', '--kill-child'];
  // Without root, only a user namespace (mapping the worker's user to itself) grants the PID one.
  const user = uid === 0 ? [] : ['--user', '--map-current-user'];
  // A /proc of its own lets `ps` and `pkill` in the step see its own processes; a hardened unit
  // (systemd's ProtectKernelTunables) may forbid mounting it, and a PID namespace alone still fences.
  const candidates = [
    { wrapper: [...pid, ...user, '--mount-proc'], description: 'a PID namespace (and /proc) of its own' },
    { wrapper: [...pid, ...user], description: 'a PID namespace of its own' },
  ];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const { command, args } = isolatedCommand({ kind: 'pid-namespace', ...candidate }, 'true', []);
    try {
      await promisify(execFile)(command, args, { timeout: 10_000, env });
      return { kind: 'pid-namespace', ...candidate };
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string };
      failures.push(`${candidate.wrapper.slice(4).join(' ')}: ${(stderr || message).trim().split('\n')[0] ?? ''}`);
    }
  }
  return { kind: 'none', reason: failures.join('; ') };
}
