// The one git runner (shared/run-git.ts), against real git and a real repository on disk: the
// hardening both the worker's mirrors and the master's logs clone rely on.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRunner, runGit } from '../../../shared/run-git.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir();
const repo = path.join(dir.path, 'repo');

beforeAll(() => {
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(path.join(repo, 'big.txt'), 'x'.repeat(4096));
  git('add', 'big.txt');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'one');
});
afterAll(() => dir.remove());

/** A stand-in git that prints its argv and environment, to see what every call gets. */
function recordingGit(): string {
  const file = path.join(dir.path, 'print-env.sh');
  writeFileSync(file, '#!/bin/sh\necho "argv: $*"\nenv\n');
  chmodSync(file, 0o755);
  return file;
}

describe('runGit', () => {
  it('runs git with no prompt, no system config, no inherited repository, fixed settings, and only known transports', async () => {
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = '/somewhere/else/.git';
    try {
      const { stdout } = await runGit(['status'], { gitBinary: recordingGit(), env: { EXTRA: 'yes' } });
      const env = new Map(stdout.split('\n').filter((l) => l.includes('=') && !l.startsWith('argv:')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(env.get('GIT_TERMINAL_PROMPT')).toBe('0');
      expect(env.get('GIT_CONFIG_NOSYSTEM')).toBe('1');
      expect(env.get('GIT_ALLOW_PROTOCOL')).toBe('file:git:http:https:ssh');
      expect(env.get('GIT_HTTP_LOW_SPEED_LIMIT')).toBe('1000');
      expect(env.get('EXTRA')).toBe('yes');
      expect(env.has('GIT_DIR')).toBe(false);
      expect(stdout).toContain('argv: -c credential.helper= -c commit.gpgsign=false');
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('refuses the ext:: transport, which would run a command, even when a setting allows it', async () => {
    const marker = path.join(dir.path, 'ext-ran');
    await expect(runGit(['-c', 'protocol.ext.allow=always', 'ls-remote', `ext::sh -c touch% ${marker}`])).rejects.toThrow('git ls-remote failed');
    expect(existsSync(marker)).toBe(false);
  });

  it('names the subcommand and the end of what git said, secrets masked; okCodes are answers', async () => {
    const git = createGitRunner({ dir: repo, secrets: ['ghp_not_a_ref'] });
    const error = await git.run(['rev-parse', 'ghp_not_a_ref']).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^git rev-parse failed \(exit code 128\): .*\*\*\*/);
    expect((error as Error).message).not.toContain('ghp_not_a_ref');
    expect((await git.run(['diff', '--quiet', 'HEAD'], { okCodes: [0, 1] })).code).toBe(0);
    expect((await git.run(['hash-object', '--stdin'], { input: 'hello\n' })).stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('kills git past its output limit or its timeout', async () => {
    await expect(runGit(['-C', repo, 'show', 'HEAD:big.txt'], { maxOutputBytes: 1024 })).rejects.toThrow('git show failed: its output passed 1024 bytes');
    expect((await runGit(['-C', repo, 'show', 'HEAD:big.txt'])).stdout).toHaveLength(4096);
    const stalled = path.join(dir.path, 'stalled-git.sh');
    writeFileSync(stalled, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(stalled, 0o755);
    await expect(runGit(['fetch'], { gitBinary: stalled, timeoutMs: 200 })).rejects.toThrow('git fetch failed (killed by SIGKILL)');
  });
});
