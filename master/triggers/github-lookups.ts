// What the triggers ask GitHub: a narrow view of the master's GitHub client, so tests of the
// trigger rules can plug in the client pointed at the local stand-in.
import type { PullSummary } from '../github/pull-summary.js';
import type { RepoPermission } from '../github/github-client.js';

export type { PullSummary } from '../github/pull-summary.js';

export interface GitHubLookups {
  getPull(repo: string, number: number): Promise<PullSummary>;
  /** `headSha`, when known, names the head the files are wanted for: a cache keeps them by it. */
  listPullFiles(repo: string, number: number, headSha?: string | null): Promise<string[]>;
  isOrgMember(org: string, user: string): Promise<boolean>;
  getHeadCommitMessage(repo: string, sha: string): Promise<string>;
  /** For `/retest <builder> --force`, which only admins of the repository may use. */
  getCollaboratorPermission(repo: string, user: string): Promise<RepoPermission>;
}
