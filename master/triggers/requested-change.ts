// A change nobody's webhook sent: a builder asked for by name (a rebuild, a forced or a scheduled
// build) on one commit. All fields a webhook would fill are empty.
import type { Change } from '../intake/change.js';

export interface RequestedBuild {
  kind: 'rebuild' | 'force' | 'schedule';
  builder: string;
  repo: string;
  cloneUrl: string;
  pr: number | null;
  sha: string | null;
  ref: string | null;
  /** Who asked (the change's author), if anyone said. */
  author: string | null;
  reason: string;
  properties?: Record<string, string>;
  /** A forced build's own priority (default: the builder's). */
  priority?: number;
  /** An admin's override of the PR's no_<builder> label and skip strings (a rebuild with force). */
  force?: boolean;
}

export function requestedChange(r: RequestedBuild): Change {
  return {
    kind: r.kind, event: r.kind === 'schedule' ? 'schedule' : 'api', action: r.kind, repo: r.repo, cloneUrl: r.cloneUrl,
    pr: r.pr, sha: r.sha, ref: r.ref, baseRef: null, headRepo: null, author: r.author, authorAssociation: null, title: null,
    draft: false, labels: [], label: null, headCommitMessage: null, changedFiles: null, comment: null,
    builder: r.builder, reason: r.reason, ...(r.properties ? { properties: r.properties } : {}),
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    ...(r.force ? { force: true } : {}),
  };
}
