// git as a child process for the logs branch. Arguments are an array (no shell); the working
// directory is given with -C. The token never appears here: when the remote needs it, git asks the
// askpass helper, which reads it from the environment of that one git process (see git-askpass.ts).
// What git prints is masked before it can reach an error message or a log.
import { spawn } from 'node:child_process';
import { maskSecrets } from '../../shared/mask-secrets.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface GitRunner {
  /** Run `git -C <dir> <args>`; rejects on an exit code not in okCodes (default [0]). */
  run(args: string[], options?: { okCodes?: number[]; input?: string }): Promise<GitResult>;
}

export interface GitRunnerOptions {
  dir: string;
  /** Extra environment for git (askpass, identity); merged over a cleaned copy of process.env. */
  env: Record<string, string>;
  /** Masked out of anything git says. */
  secrets: readonly string[];
  /** The git executable (default "git"); tests put a wrapper here that records each argv. */
  gitBinary?: string;
  /** A git call still running after this long is killed, so a stalled push cannot hold the publisher forever (default 5 min). */
  timeoutMs?: number;
}

/** Settings for every call: no prompt on a terminal, no credential helper that could store the
 *  token, no signing that could prompt, no automatic gc running in the background between calls. */
const FIXED_CONFIG = ['-c', 'credential.helper=', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', '-c', 'gc.autoDetach=false', '-c', 'core.quotepath=false'];

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A GIT_DIR or GIT_WORK_TREE inherited from a hook would point git at another repository.
    if (value !== undefined && !/^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ASKPASS|CONFIG_PARAMETERS)$/.test(key)) env[key] = value;
  }
  return env;
}

export function createGitRunner(options: GitRunnerOptions): GitRunner {
  // A transfer slower than 1 KB/s for a minute is abandoned (and retried later) rather than waited on.
  const env = { ...baseEnv(), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_HTTP_LOW_SPEED_LIMIT: '1000', GIT_HTTP_LOW_SPEED_TIME: '60', ...options.env };
  const mask = (text: string) => maskSecrets(text, options.secrets);
  return {
    run(args, runOptions = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(options.gitBinary ?? 'git', ['-C', options.dir, ...FIXED_CONFIG, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 300_000, killSignal: 'SIGKILL' });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', reject);
        child.stdin.on('error', () => undefined); // git may exit before reading its input
        child.stdin.end(runOptions.input ?? '');
        child.on('close', (code, signal) => {
          const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: mask(Buffer.concat(err).toString('utf8')), code: code ?? -1 };
          if (code !== null && (runOptions.okCodes ?? [0]).includes(code)) return resolve(result);
          const said = result.stderr.trim().split('\n').slice(-3).join(' / ');
          const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
          reject(new Error(`git ${args.find((a) => !a.startsWith('-')) ?? ''} failed (${how})${said ? `: ${said}` : ''}`));
        });
      });
    },
  };
}
