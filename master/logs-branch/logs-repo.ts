// The local clone of the logs repository (<dataDir>/logs-repo): a cache of the remote branch that
// can be thrown away at any time. It is only ever reset to the remote tip, written on, committed and
// pushed; the branch is created as an orphan (no shared history with anything) when the remote
// lacks it. The remote URL in .git/config never carries a credential (see git-askpass.ts).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { GitRunner } from '../../shared/run-git.js';

export interface LogsRepo {
  /** The work tree. */
  readonly dir: string;
  readonly branch: string;
  readonly git: GitRunner;
  /** Make the clone exist with `origin` at the remote. */
  ensure(): Promise<void>;
  /** Make the work tree the remote branch's tip; returns that tip, or null when the branch is missing (then empty). */
  reset(): Promise<string | null>;
  /** Stage `paths` (relative) and commit if anything changed; true when a commit was made. */
  commit(paths: string[], message: string): Promise<boolean>;
  /** Push HEAD to the branch. With `lease`, replace exactly that remote tip (a rewrite). */
  push(lease?: string): Promise<'pushed' | 'rejected'>;
}

/** The remote would not take the push for a reason of its own (a hook, a protection rule). */
export class LogsPushRefused extends Error {
  override readonly name = 'LogsPushRefused';
}

/** What the remote said: its "remote:" lines (a hook's output; cut) and the porcelain line's summary and reason. */
function refusal(line: string, stderr: string): string {
  const said = stderr.split('\n').filter((l) => l.startsWith('remote:')).map((l) => l.slice('remote:'.length).trim()).filter(Boolean);
  const summary = line.split('\t').slice(2).join(' ').trim();
  const told = said.length > 0 ? `: ${said.slice(0, 10).join(' / ').slice(0, 1_000)}` : '';
  return `the remote refused the push ${summary}${told}`;
}

/** The committer of the logs branch, set on each git call: no global git identity is needed. */
export const LOGS_IDENTITY = {
  GIT_AUTHOR_NAME: 'gatehouse',
  GIT_AUTHOR_EMAIL: 'gatehouse@localhost',
  GIT_COMMITTER_NAME: 'gatehouse',
  GIT_COMMITTER_EMAIL: 'gatehouse@localhost',
};

export function createLogsRepo(options: { dir: string; remote: string; branch: string; git: GitRunner }): LogsRepo {
  const { dir, remote, branch, git } = options;
  const ref = `refs/heads/${branch}`;
  const tracking = `refs/remotes/origin/${branch}`;

  return {
    dir,
    branch,
    git,
    async ensure() {
      mkdirSync(dir, { recursive: true });
      if (!existsSync(path.join(dir, '.git'))) {
        await git.run(['init', '-q', `--initial-branch=${branch}`]);
        await git.run(['remote', 'add', 'origin', remote]);
        return;
      }
      const current = await git.run(['remote', 'get-url', 'origin'], { okCodes: [0, 2] });
      if (current.code === 2) await git.run(['remote', 'add', 'origin', remote]);
      else if (current.stdout.trim() !== remote) await git.run(['remote', 'set-url', 'origin', remote]);
    },

    async reset() {
      const listed = await git.run(['ls-remote', '--heads', 'origin', ref]);
      const tip = listed.stdout.split('\n').find((l) => l.endsWith(`\t${ref}`))?.split('\t')[0] ?? null;
      if (tip) {
        await git.run(['fetch', '-q', '--no-tags', 'origin', `+${ref}:${tracking}`]);
        await git.run(['checkout', '-q', '-f', '-B', branch, tracking]);
      } else {
        // An unborn branch: the next commit is the root of a new, orphan history.
        await git.run(['symbolic-ref', 'HEAD', ref]);
        await git.run(['update-ref', '-d', ref]);
        await git.run(['read-tree', '--empty']);
      }
      await git.run(['clean', '-q', '-f', '-d', '-x']);
      return tip;
    },

    async commit(paths, message) {
      await git.run(['add', '-A', '--', ...paths]);
      const staged = await git.run(['diff', '--cached', '--quiet'], { okCodes: [0, 1] });
      if (staged.code === 0) return false;
      await git.run(['commit', '-q', '--no-verify', '-m', message]);
      return true;
    },

    async push(lease) {
      const args = ['push', '--porcelain', '--no-verify', ...(lease ? [`--force-with-lease=${ref}:${lease}`] : []), 'origin', `HEAD:${ref}`];
      const result = await git.run(args, { okCodes: [0, 1] });
      // --porcelain: one line per ref, "!" in front of one not updated. The branch moved when git's
      // own check against the tip it knows failed ("[rejected]": non-fast-forward, fetch first, stale
      // lease) or another push updated the ref at the same moment ("failed to update ref"/"failed to
      // lock": the remote lost the race for the ref's lock). Anything else ("[remote rejected]" by a
      // hook or a protection rule, "[remote failure]") is the remote refusing, and says why in its
      // "remote:" lines and the reason in parentheses.
      const refused = result.stdout.split('\n').find((l) => l.startsWith('!'));
      if (refused && /\t\[rejected\]|\((failed to update ref|failed to lock)\)/.test(refused)) return 'rejected';
      if (refused) throw new LogsPushRefused(refusal(refused, result.stderr));
      if (result.code !== 0) throw new Error(`git push failed: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      return 'pushed';
    },
  };
}
