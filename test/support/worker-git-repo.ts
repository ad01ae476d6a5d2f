// A real git repository on disk standing in for GitHub: a main branch and pull request refs
// (refs/pull/N/head) made with plain git, so the worker's source cache fetches as it would upstream.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

const GIT_MODES: Record<number, string> = { 0o644: '100644', 0o755: '100755', 0o120000: '120000' };

export class TestRepo {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();
  }

  /** Commit these files on top of `parent` (or the current HEAD) and return the new sha; HEAD does not move. A symlink: mode 0o120000, its target as content. */
  commit(files: Record<string, string | { content: string; mode: number }>, message: string, parent?: string): string {
    const base = parent ?? this.git('rev-parse', 'HEAD');
    this.git('read-tree', base);
    for (const [name, file] of Object.entries(files)) {
      const { content, mode } = typeof file === 'string' ? { content: file, mode: 0o644 } : file;
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: this.dir, input: content, encoding: 'utf8' }).trim();
      this.git('update-index', '--add', '--cacheinfo', `${GIT_MODES[mode] ?? '100644'},${blob},${name}`);
    }
    const tree = this.git('write-tree');
    const sha = this.git('commit-tree', tree, '-p', base, '-m', message);
    this.git('read-tree', 'HEAD');
    return sha;
  }

  /** Point a ref (refs/pull/1/head, refs/heads/main) at a commit. */
  setRef(ref: string, sha: string): void {
    this.git('update-ref', ref, sha);
  }
}

/** A repository with one commit on main holding README.md. */
export function createTestRepo(dir: string): TestRepo {
  mkdirSync(dir, { recursive: true });
  const repo = new TestRepo(dir);
  repo.git('init', '--quiet', '--initial-branch=main');
  writeFileSync(path.join(dir, 'README.md'), 'hello\n');
  repo.git('add', 'README.md');
  repo.git('commit', '--quiet', '-m', 'initial');
  return repo;
}
