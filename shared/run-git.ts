// git as a child process, for the worker's source mirrors and the master's logs branch, with one
// hardening for both:
//   - arguments as an array (no shell);
//   - never a prompt (GIT_TERMINAL_PROMPT=0, stdin closed after the given input);
//   - no repository chosen by an inherited GIT_DIR, GIT_WORK_TREE… (e.g. from a hook), no askpass or
//     `-c` settings inherited either; no system config (/etc/gitconfig is another admin's); the user's
//     global config stays (it may hold the proxy or URL rewrites the host needs), and the settings
//     that matter are fixed on the command line over it: no credential helper that could store a
//     token, no signing that could prompt, no line-ending conversion, no background gc;
//   - only the transports gatehouse uses (GIT_ALLOW_PROTOCOL: no `ext::` that runs commands);
//   - a transfer slower than 1 KB/s for a minute is abandoned; each call is killed after timeoutMs;
//   - output held in memory is bounded; what git says is masked before it reaches an error or a log.
// Credentials are the caller's: the master passes its askpass environment (master/logs-branch/git-askpass.ts).
import { spawn } from 'node:child_process';
import { maskSecrets } from './mask-secrets.js';

export interface GitResult {
  stdout: string;
  /** The end of what git printed on stderr, masked. */
  stderr: string;
  code: number;
}

export interface RunGitOptions {
  /** Extra environment (askpass, identity, GIT_INDEX_FILE…), over the hardened one. */
  env?: Record<string, string>;
  /** Stops git (SIGKILL) when aborted. */
  signal?: AbortSignal;
  /** Exit codes besides 0 that are answers rather than failures (merge-tree exits 1 on conflicts). */
  okCodes?: number[];
  /** Written to git's stdin, which is then closed. */
  input?: string;
  /** Masked out of anything git says. */
  secrets?: readonly string[];
  /** The git executable (default "git"); tests put a wrapper here that records each argv. */
  gitBinary?: string;
  /** Kill git after this long (default 5 min), so a stalled transfer cannot hold its caller forever. */
  timeoutMs?: number;
  /** Fail (and kill git) when stdout grows past this (default 16 MiB): it is held in memory. */
  maxOutputBytes?: number;
}

const GIT_TIMEOUT_MS = 5 * 60_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Only the end of stderr is kept: errors quote its last lines. */
const KEPT_STDERR_BYTES = 64 * 1024;

const FIXED_CONFIG = ['-c', 'credential.helper=', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', '-c', 'gc.autoDetach=false', '-c', 'core.quotepath=false'];
/** Inherited variables that would point git at another repository, or inject settings or an askpass. */
const INHERITED_AWAY = /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|ASKPASS|CONFIG_PARAMETERS|CONFIG_COUNT)$/;

/** The environment every git call gets, with `extra` over it. */
function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !INHERITED_AWAY.test(key)) env[key] = value;
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
    GIT_HTTP_LOW_SPEED_LIMIT: '1000',
    GIT_HTTP_LOW_SPEED_TIME: '60',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Run `git <args>`; rejects, with the end of what git said, on an exit code other than 0 and okCodes. Put options such as `-C dir` or `--git-dir=X` before the subcommand. */
export function runGit(args: string[], options: RunGitOptions = {}): Promise<GitResult> {
  const maxOutput = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  const mask = (text: string) => maskSecrets(text, options.secrets ?? []);
  const subcommand = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-C' && args[i - 1] !== '-c') ?? '';
  return new Promise((resolve, reject) => {
    const child = spawn(options.gitBinary ?? 'git', [...FIXED_CONFIG, ...args], {
      env: gitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = Buffer.alloc(0);
    let overflow = false;
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= maxOutput) out.push(b);
      else if (!overflow) {
        overflow = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      err = Buffer.concat([err, b]);
      if (err.length > KEPT_STDERR_BYTES) err = err.subarray(err.length - KEPT_STDERR_BYTES);
    });
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // git may exit before reading its input
    child.stdin.end(options.input ?? '');
    child.on('close', (code, signal) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: mask(err.toString('utf8')), code: code ?? -1 };
      if (overflow) return reject(new Error(`git ${subcommand} failed: its output passed ${maxOutput} bytes`));
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) return resolve(result);
      const said = result.stderr.trim().split('\n').slice(-3).join(' / ');
      const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
      reject(new Error(`git ${subcommand} failed (${how})${said ? `: ${said}` : ''}`));
    });
  });
}

/** git bound to one working directory and one set of options: the master's logs clone. */
export interface GitRunner {
  /** Run `git -C <dir> <args>`; rejects on an exit code other than 0 and okCodes. */
  run(args: string[], options?: { okCodes?: number[]; input?: string }): Promise<GitResult>;
}

export interface GitRunnerOptions extends Omit<RunGitOptions, 'okCodes' | 'input'> {
  dir: string;
}

export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const { dir, ...common } = options;
  return { run: (args, call = {}) => runGit(['-C', dir, ...args], { ...common, ...call }) };
}
