// git as a child process: arguments as an array (no shell), never a prompt, output captured so a
// failure reports what git said. Pass options as `--git-dir=X` so the subcommand is the first bare word.
import { spawn } from 'node:child_process';

export interface RunGitOptions {
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Exit codes that are answers rather than failures (merge-tree exits 1 on conflicts). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: string;
  code: number;
}

/** The environment every git call gets: no terminal prompt, no `ext::` transport that runs commands. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return { ...env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh', LC_ALL: 'C', ...extra };
}

export function runGit(args: string[], options: RunGitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env: options.env ?? gitEnv(), stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) return resolve({ stdout, code });
      const said = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' / ');
      const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
      reject(new Error(`git ${args.find((a) => !a.startsWith('-')) ?? ''} failed (${how})${said ? `: ${said}` : ''}`));
    });
  });
}
