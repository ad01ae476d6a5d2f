// What a forced or scheduled build names (a branch, a tag, a sha or a pull request) resolved to
// the commit to build and the ref a worker fetches, through the GitHub client.
import type { PullSummary } from '../github/pull-summary.js';

/** The part of the GitHub client this needs. */
export interface RefLookups {
  getPull(repo: string, number: number): Promise<PullSummary>;
  getCommitSha(repo: string, ref: string): Promise<string | undefined>;
}

export interface ResolvedRef {
  /** What the worker fetches: refs/heads/X, refs/tags/X, refs/pull/N/head, or the sha itself. */
  ref: string;
  sha: string;
  pr: number | null;
}

const PULL = /^(?:#|pull\/|pr\/|refs\/pull\/)(\d+)(?:\/head)?$/;
const SHA = /^[0-9a-f]{7,40}$/i;

/**
 * Accepts refs/heads/X, refs/tags/X, a pull request (#12, pull/12, refs/pull/12/head), a sha (7 to
 * 40 hex digits), or a bare name: a branch, else a tag. Undefined when GitHub knows no such thing.
 */
export async function resolveRef(github: RefLookups, repo: string, name: string): Promise<ResolvedRef | undefined> {
  const pull = PULL.exec(name);
  if (pull) {
    const number = Number(pull[1]);
    const found = await github.getPull(repo, number).catch((error: unknown) => {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    });
    return found && { ref: `refs/pull/${number}/head`, sha: found.headSha, pr: number };
  }
  // A hex name is first a commit (the worker fetches the sha itself: GitHub serves any commit of the
  // repository), else a branch or a tag of that name.
  if (SHA.test(name)) {
    const sha = await github.getCommitSha(repo, name);
    if (sha) return { ref: sha, sha, pr: null };
  }
  const candidates = name.startsWith('refs/heads/') || name.startsWith('refs/tags/') ? [name] : [`refs/heads/${name}`, `refs/tags/${name}`];
  for (const ref of candidates) {
    const sha = await github.getCommitSha(repo, ref.slice('refs/'.length));
    if (sha) return { ref, sha, pr: null };
  }
  return undefined;
}
