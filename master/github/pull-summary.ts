// The few facts about a pull request that triggers and reconcile use, taken from either shape
// GitHub returns (`pull-request` from GET pulls/{n}, `pull-request-simple` from the list).

export type AuthorAssociation = 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIMER' | 'FIRST_TIME_CONTRIBUTOR' | 'MANNEQUIN' | 'NONE';

export interface PullSummary {
  number: number;
  headSha: string;
  /** Branch name in the head repository. */
  headRef: string;
  /** "owner/name" of the head repository (a fork or the base itself); null when the fork was deleted. */
  headRepo: string | null;
  /** Target branch. */
  baseRef: string;
  /** "owner/name" of the repository the PR is opened against. */
  baseRepo: string;
  title: string;
  draft: boolean;
  state: 'open' | 'closed';
  /** The author's login ("ghost" for a deleted account). */
  author: string;
  authorAssociation: AuthorAssociation;
  /** Label names. */
  labels: string[];
}

/** The fields both GitHub shapes have; anything else is ignored. */
export interface PullLike {
  number: number;
  state: string;
  title: string;
  draft?: boolean;
  user: { login: string } | null;
  author_association: string;
  labels: Array<{ name?: string | null }>;
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
}

export function toPullSummary(pull: PullLike): PullSummary {
  return {
    number: pull.number,
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    headRepo: pull.head.repo?.full_name ?? null,
    baseRef: pull.base.ref,
    baseRepo: pull.base.repo.full_name,
    title: pull.title,
    draft: pull.draft ?? false,
    state: pull.state === 'closed' ? 'closed' : 'open',
    author: pull.user?.login ?? 'ghost',
    authorAssociation: pull.author_association as AuthorAssociation,
    labels: pull.labels.flatMap((label) => (label.name ? [label.name] : [])),
  };
}
