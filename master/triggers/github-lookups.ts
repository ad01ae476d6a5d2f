// What the triggers ask GitHub. The master's GitHub client satisfies this; tests plug in the
// local stand-in through the same client.
export interface PullSummary {
  number: number;
  headSha: string;
  headRef: string;
  headRepo: string | null;
  baseRef: string;
  baseRepo: string;
  title: string;
  draft: boolean;
  state: string;
  author: string;
  authorAssociation: string;
  labels: string[];
}

export interface GitHubLookups {
  getPull(repo: string, number: number): Promise<PullSummary>;
  listPullFiles(repo: string, number: number): Promise<string[]>;
  isOrgMember(org: string, user: string): Promise<boolean>;
  getHeadCommitMessage(repo: string, sha: string): Promise<string>;
}
