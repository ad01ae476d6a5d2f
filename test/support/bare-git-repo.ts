// A bare git repository on disk standing in for the logs repository on GitHub, with the read-only
// questions tests ask of it (what the branch holds, its history). No identity needed: nothing here commits.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export class BareRepo {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', ['--git-dir', this.dir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
  }

  /** The branch tip, or null when the branch does not exist. */
  tip(branch: string): string | null {
    const r = spawnSync('git', ['--git-dir', this.dir, 'rev-parse', '--verify', '-q', `refs/heads/${branch}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  }

  /** Every file path on the branch. */
  files(branch: string): string[] {
    const out = this.git('ls-tree', '-r', '--name-only', branch);
    return out ? out.split('\n') : [];
  }

  /** The build folders on the branch ("builder/pr-sha7-n"). */
  folders(branch: string): string[] {
    return [...new Set(this.files(branch).filter((f) => f.endsWith('/README.md')).map((f) => f.slice(0, -'/README.md'.length)))].sort();
  }

  show(branch: string, file: string): string {
    return execFileSync('git', ['--git-dir', this.dir, 'show', `${branch}:${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  }

  /** Commits on the branch, newest first: sha, parent count and subject. */
  log(branch: string): Array<{ sha: string; parents: number; subject: string }> {
    return this.git('log', '--format=%H %P%x09%s', branch)
      .split('\n')
      .map((line) => {
        const [ids = '', subject = ''] = line.split('\t');
        const [sha = '', ...parents] = ids.trim().split(' ');
        return { sha, parents: parents.length, subject };
      });
  }

  /** Does `text` occur in any version of any file, or any commit message, reachable from any ref? */
  historyContains(text: string): boolean {
    const commits = this.git('rev-list', '--all').split('\n').filter(Boolean);
    if (commits.length === 0) return false;
    const grep = spawnSync('git', ['--git-dir', this.dir, 'grep', '-F', '-q', '-e', text, ...commits], { encoding: 'utf8' });
    if (grep.status === 0) return true;
    if (grep.status !== 1) throw new Error(`git grep failed: ${grep.stderr}`);
    return this.git('log', '--all', '--format=%B').includes(text);
  }
}

/** `git init --bare` at <parent>/<name>. */
export function createBareRepo(parent: string, name = 'logs.git'): BareRepo {
  const dir = path.join(parent, name);
  execFileSync('git', ['init', '-q', '--bare', dir]);
  return new BareRepo(dir);
}
