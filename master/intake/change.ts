/** A webhook (or a reconcile pass, a rebuild, a forced or a scheduled build) normalized to what the triggers need. */
export interface Change {
  kind: 'pull_request' | 'push' | 'comment' | 'reconcile' | 'rebuild' | 'after' | 'force' | 'schedule' | 'rerun';
  event: string;
  action: string | null;
  /** "owner/name" of the repository the PR targets (or was pushed to). */
  repo: string;
  cloneUrl: string;
  pr: number | null;
  sha: string | null;
  /** The ref to fetch: refs/pull/N/head, refs/heads/main, refs/tags/v1. */
  ref: string | null;
  /** PR base branch, or the pushed branch. */
  baseRef: string | null;
  /** "owner/name" of the PR head's repository (a fork, or the same repository). */
  headRepo: string | null;
  author: string | null;
  authorAssociation: string | null;
  title: string | null;
  draft: boolean;
  labels: string[];
  /** For pull_request.labeled: the label just added. */
  label: string | null;
  /** For push: the head commit's message and the files its commits touched. */
  headCommitMessage: string | null;
  changedFiles: string[] | null;
  /** For issue_comment: the comment. */
  comment: { body: string; author: string; association: string } | null;
  /** For 'rerun': GitHub's Re-run button of a check run (the build it named) or of a whole check suite (every build of the head). */
  rerun?: { by: string; appId: number | null; scope: 'run' | 'suite'; buildId: number | null };
  /** For rebuild, force and schedule: the builder asked for; for 'after': the builder whose build succeeded. */
  builder?: string;
  /** Why, for rebuild, force, schedule and reconcile changes. */
  reason?: string;
  /** For force: the builder's properties the request set. */
  properties?: Record<string, string>;
  /** For force: the priority asked for, instead of the builder's. */
  priority?: number;
  /** For 'after': the build that succeeded. */
  upstreamBuild?: number;
  /** For rebuilds: run even where a no_<builder> label or a skip string says not to (an admin asked). */
  force?: boolean;
  /** For reconcile: only these builders (the ones with no build for this head yet). */
  builders?: string[];
}
