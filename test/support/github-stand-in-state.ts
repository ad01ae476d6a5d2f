// What the GitHub stand-in knows: repositories with their pull requests, collaborators and commit
// messages, organisations with their members, and what clients posted. Tests program it through
// the options of startGitHubStandIn or the methods here, at any time while the server runs.
import { ChecksState } from './github-stand-in-checks.js';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
export type AuthorAssociation = 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIMER' | 'FIRST_TIME_CONTRIBUTOR' | 'MANNEQUIN' | 'NONE';
export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';

export interface PullFileInput {
  filename: string;
  /** Default 'modified' ('renamed' when previousFilename is set). */
  status?: FileStatus;
  previousFilename?: string;
}

export interface PullInput {
  number: number;
  /** The head commit; its message can be set with `commitMessage`. */
  head: {
    sha: string;
    /** Branch name (default `pr-<number>`). */
    ref?: string;
    /** "owner/name" of the head repository: a fork, the base repo (the default), or null for a deleted fork. */
    repo?: string | null;
  };
  base?: { ref?: string; sha?: string };
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  draft?: boolean;
  /** Login of the author (default "octocat"). */
  author?: string;
  authorAssociation?: AuthorAssociation;
  labels?: string[];
  /** Changed files: names or details. GitHub lists at most 3000 of them, so does the stand-in. */
  files?: Array<string | PullFileInput>;
  /** Message of the head commit (also settable with setCommitMessage). */
  commitMessage?: string;
}

export interface RepoInput {
  pulls?: PullInput[];
  /** login → permission (role name) on this repository; users not listed get a 404. */
  collaborators?: Record<string, Permission>;
  /** sha → commit message. */
  commits?: Record<string, string>;
  /** Branches and tags: "refs/heads/main" or "refs/tags/v1" → the commit's sha (GET commits/{ref} resolves them). */
  refs?: Record<string, string>;
  /** The repository's webhooks, as GET /repos/{owner}/{repo}/hooks lists them. */
  hooks?: HookInput[];
  /** What the token's owner may do on the repository (GET /repos/{owner}/{repo} `permissions`; hooks need admin) (default admin). */
  tokenPermission?: Permission;
}

export interface HookInput {
  url: string;
  /** default json */
  contentType?: 'json' | 'form';
  /** default ['push'] as GitHub's own default */
  events?: string[];
  active?: boolean;
  /** Whether a secret is set (GitHub shows it as ********) (default true). */
  secret?: boolean;
}

export interface OrgInput {
  members: string[];
  /** False when the token's owner is not a member: GitHub then answers 302 (default true). */
  requesterIsMember?: boolean;
}

export interface PullState extends Required<Omit<PullInput, 'files' | 'commitMessage' | 'head' | 'base' | 'body'>> {
  head: { sha: string; ref: string; repo: string | null };
  base: { ref: string; sha: string };
  body: string | null;
  files: PullFileInput[];
  createdAt: string;
}

export interface RepoState {
  fullName: string;
  pulls: Map<number, PullState>;
  collaborators: Map<string, Permission>;
  commits: Map<string, string>;
  refs: Map<string, string>;
  hooks: HookInput[];
  tokenPermission: Permission;
}

export interface RecordedStatus {
  repo: string;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

let clock = Date.parse('2024-01-01T00:00:00Z');
/** Distinct, increasing timestamps, so list order by creation is well defined. */
function nextTimestamp(): string {
  clock += 1000;
  return new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class GitHubState {
  readonly repos = new Map<string, RepoState>();
  /** Check runs and issue comments posted (see github-stand-in-checks.ts). */
  readonly checks = new ChecksState();
  readonly orgs = new Map<string, { members: Set<string>; requesterIsMember: boolean }>();

  /** The repository "owner/name", created empty when unknown. */
  repo(fullName: string): RepoState {
    let repo = this.repos.get(fullName.toLowerCase());
    if (!repo) {
      repo = { fullName, pulls: new Map(), collaborators: new Map(), commits: new Map(), refs: new Map(), hooks: [], tokenPermission: 'admin' };
      this.repos.set(fullName.toLowerCase(), repo);
    }
    return repo;
  }

  addRepo(fullName: string, input: RepoInput = {}): RepoState {
    const repo = this.repo(fullName);
    for (const pull of input.pulls ?? []) this.addPull(fullName, pull);
    for (const [login, permission] of Object.entries(input.collaborators ?? {})) this.setPermission(fullName, login, permission);
    for (const [sha, message] of Object.entries(input.commits ?? {})) this.setCommitMessage(fullName, sha, message);
    for (const [ref, sha] of Object.entries(input.refs ?? {})) this.setRef(fullName, ref, sha);
    if (input.hooks) repo.hooks = [...input.hooks];
    if (input.tokenPermission) repo.tokenPermission = input.tokenPermission;
    return repo;
  }

  /** Add or replace a pull request (a new head sha on the same number is a push to the PR). */
  addPull(fullName: string, input: PullInput): PullState {
    const repo = this.repo(fullName);
    const pull: PullState = {
      number: input.number,
      head: { sha: input.head.sha, ref: input.head.ref ?? `pr-${input.number}`, repo: input.head.repo === undefined ? repo.fullName : input.head.repo },
      base: { ref: input.base?.ref ?? 'main', sha: input.base?.sha ?? '0'.repeat(39) + '1' },
      title: input.title ?? `Pull request ${input.number}`,
      body: input.body ?? null,
      state: input.state ?? 'open',
      draft: input.draft ?? false,
      author: input.author ?? 'octocat',
      authorAssociation: input.authorAssociation ?? 'CONTRIBUTOR',
      labels: input.labels ?? [],
      files: (input.files ?? []).map((f) => (typeof f === 'string' ? { filename: f } : f)),
      createdAt: repo.pulls.get(input.number)?.createdAt ?? nextTimestamp(),
    };
    repo.pulls.set(pull.number, pull);
    repo.commits.set(pull.head.sha, input.commitMessage ?? repo.commits.get(pull.head.sha) ?? pull.title);
    return pull;
  }

  /** The pull request, to change in place (labels, draft, state, files...). */
  pull(fullName: string, number: number): PullState {
    const pull = this.repo(fullName).pulls.get(number);
    if (!pull) throw new Error(`stand-in: no pull request ${fullName}#${number}`);
    return pull;
  }

  setPermission(fullName: string, login: string, permission: Permission): void {
    this.repo(fullName).collaborators.set(login.toLowerCase(), permission);
  }

  setCommitMessage(fullName: string, sha: string, message: string): void {
    this.repo(fullName).commits.set(sha, message);
  }

  /** Point a branch or tag ("refs/heads/main") at a commit (a push); the commit is known from then on. */
  setRef(fullName: string, ref: string, sha: string): void {
    const repo = this.repo(fullName);
    repo.refs.set(ref, sha);
    if (!repo.commits.has(sha)) repo.commits.set(sha, `commit ${sha.slice(0, 7)}`);
  }

  /** What GET commits/{ref} accepts: a sha, heads/NAME, tags/NAME, or a bare branch or tag name. */
  resolveCommit(fullName: string, ref: string): string | undefined {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) return undefined;
    if (repo.commits.has(ref)) return ref;
    return repo.refs.get(`refs/${ref}`) ?? repo.refs.get(`refs/heads/${ref}`) ?? repo.refs.get(`refs/tags/${ref}`);
  }

  addOrg(org: string, input: OrgInput): void {
    this.orgs.set(org.toLowerCase(), { members: new Set(input.members.map((m) => m.toLowerCase())), requesterIsMember: input.requesterIsMember ?? true });
  }

  addOrgMember(org: string, login: string): void {
    const known = this.orgs.get(org.toLowerCase());
    if (known) known.members.add(login.toLowerCase());
    else this.addOrg(org, { members: [login] });
  }

  now(): string {
    return nextTimestamp();
  }
}
