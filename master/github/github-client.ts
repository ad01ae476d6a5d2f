// What the master asks of GitHub, and nothing more. Tests use the real client against the local
// stand-in (test/support/github-api-stand-in.ts); other parts of the master take a GitHubClient
// as a constructor argument.
import type { Config } from '../../shared/config/load-config.js';
import { GitHubApiError, toGitHubApiError } from './github-api-error.js';
import { authSecrets, createOctokit, type GitHubAuth, type GitHubClientOptions } from './create-octokit.js';
import { toPullSummary, type PullSummary } from './pull-summary.js';
import type { CheckAnnotation, CheckRunInput, CheckRunUpdate } from './check-run-input.js';

export type { GitHubAuth, GitHubClientOptions, GitHubLogger } from './create-octokit.js';
export type { PullSummary, AuthorAssociation } from './pull-summary.js';
export type { CheckRunInput, CheckRunUpdate, CheckAnnotation, CheckRunOutput, CheckRunStatus, CheckConclusion } from './check-run-input.js';
export { GitHubApiError } from './github-api-error.js';

export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusInput {
  state: CommitState;
  /** e.g. "gatehouse/lvm". */
  context: string;
  /** Cut to GitHub's 140 characters. */
  description: string;
  /** The Details link. */
  targetUrl?: string;
}

/** Every method throws GitHubApiError, after the retries (see GitHubClientOptions). */
export interface GitHubClient {
  /** A pull request of `repo` ("owner/name"). */
  getPull(repo: string, number: number): Promise<PullSummary>;
  /** Changed file names; a renamed file gives its old name too. GitHub lists at most 3000 files. */
  listPullFiles(repo: string, number: number): Promise<string[]>;
  /** All open pull requests of `repo`, newest first. */
  listOpenPulls(repo: string): Promise<PullSummary[]>;
  /** The user's role on `repo`; 'none' for a user GitHub does not show as a collaborator (404). */
  getCollaboratorPermission(repo: string, user: string): Promise<RepoPermission>;
  /** Membership of `org`; false when not a member, or when the token may not see private membership (302). */
  isOrgMember(org: string, user: string): Promise<boolean>;
  /** Post a commit status on `sha`. */
  createStatus(repo: string, sha: string, status: CommitStatusInput): Promise<void>;
  /** The full message of a commit (for [skip ci] in the head commit). */
  getHeadCommitMessage(repo: string, sha: string): Promise<string>;
  /** The commit a sha, `heads/NAME` or `tags/NAME` names (a tag peeled to its commit); undefined when there is none. */
  getCommitSha(repo: string, ref: string): Promise<string | undefined>;
  /** Create a check run (GitHub App auth only); returns its id. */
  createCheckRun(repo: string, run: CheckRunInput): Promise<number>;
  /** Update a check run: only the fields given change (annotations are appended to the run's). */
  updateCheckRun(repo: string, id: number, run: CheckRunUpdate): Promise<void>;
  /** The id of the check run of `sha` with this name and external id (this App's), if there is one. */
  findCheckRun(repo: string, sha: string, name: string, externalId: string): Promise<number | undefined>;
  /** Comment on an issue or pull request; returns the comment's id. */
  createIssueComment(repo: string, number: number, body: string): Promise<number>;
  updateIssueComment(repo: string, commentId: number, body: string): Promise<void>;
  /** The id of the first comment on the issue whose body contains `marker`, if any. */
  findIssueComment(repo: string, number: number, marker: string): Promise<number | undefined>;
}

const MAX_DESCRIPTION = 140;
const ROLES: readonly RepoPermission[] = ['admin', 'maintain', 'write', 'triage', 'read'];
/** GitHub lists at most this many files of a pull request. */
export const MAX_PULL_FILES = 3000;

function splitRepo(repo: string): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repo);
  if (!m) throw new GitHubApiError(`expected a repository as "owner/name", got ${JSON.stringify(repo)}`, 0, 'splitRepo');
  return { owner: m[1]!, repo: m[2]! };
}

/** GitHub counts characters; cut on code points so an emoji is not split in half. */
export function cutDescription(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_DESCRIPTION ? text : `${chars.slice(0, MAX_DESCRIPTION - 1).join('')}…`;
}

/** The auth section of the config, or undefined when it has neither a token nor an app. */
export function githubAuthFromConfig(github: Config['github']): GitHubAuth | undefined {
  if (github.token) return { apiUrl: github.apiUrl, token: github.token };
  if (github.app) return { apiUrl: github.apiUrl, app: github.app };
  return undefined;
}

export function createGitHubClient(auth: GitHubAuth, options: GitHubClientOptions = {}): GitHubClient {
  const octokit = createOctokit(auth, options);
  const secrets = authSecrets(auth);
  const logger = options.logger;
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toGitHubApiError(error, operation, secrets);
    }
  };

  return {
    getPull: (repo, number) =>
      call(`getPull ${repo}#${number}`, async () => {
        const { data } = await octokit.rest.pulls.get({ ...splitRepo(repo), pull_number: number });
        return toPullSummary(data);
      }),

    listPullFiles: (repo, number) =>
      call(`listPullFiles ${repo}#${number}`, async () => {
        const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...splitRepo(repo), pull_number: number, per_page: 100 });
        if (files.length >= MAX_PULL_FILES) logger?.warn(`GitHub lists only ${MAX_PULL_FILES} files of ${repo}#${number}; path filters see no more`);
        return [...new Set(files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])))];
      }),

    listOpenPulls: (repo) =>
      call(`listOpenPulls ${repo}`, async () => {
        const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...splitRepo(repo), state: 'open', per_page: 100 });
        return pulls.map(toPullSummary);
      }),

    getCollaboratorPermission: (repo, user) =>
      call(`getCollaboratorPermission ${repo} ${user}`, async () => {
        try {
          const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...splitRepo(repo), username: user });
          // role_name has maintain and triage; `permission` folds them into write and read.
          const role = ROLES.find((r) => r === data.role_name);
          return role ?? (ROLES.find((r) => r === data.permission) ?? 'none');
        } catch (error) {
          if ((error as { status?: number }).status === 404) return 'none';
          throw error;
        }
      }),

    isOrgMember: (org, user) =>
      call(`isOrgMember ${org} ${user}`, async () => {
        try {
          const { status } = await octokit.rest.orgs.checkMembershipForUser({ org, username: user, request: { redirect: 'manual' } });
          return (status as number) === 204;
        } catch (error) {
          if ((error as { status?: number }).status === 404) return false;
          throw error;
        }
      }),

    createStatus: (repo, sha, status) =>
      call(`createStatus ${repo}@${sha.slice(0, 7)} ${status.context}`, async () => {
        await octokit.rest.repos.createCommitStatus({
          ...splitRepo(repo),
          sha,
          state: status.state,
          context: status.context,
          description: cutDescription(status.description),
          target_url: status.targetUrl,
        });
      }),

    getHeadCommitMessage: (repo, sha) =>
      call(`getHeadCommitMessage ${repo}@${sha.slice(0, 7)}`, async () => {
        // per_page bounds the list of files that comes with the commit; only the message is used.
        const { data } = await octokit.rest.repos.getCommit({ ...splitRepo(repo), ref: sha, per_page: 1 });
        return data.commit.message;
      }),

    getCommitSha: (repo, ref) =>
      call(`getCommitSha ${repo} ${ref}`, async () => {
        try {
          const { data } = await octokit.rest.repos.getCommit({ ...splitRepo(repo), ref, per_page: 1 });
          return data.sha;
        } catch (error) {
          // GitHub answers 422 "No commit found for SHA" for a name it does not know, 404 for some others.
          const status = (error as { status?: number }).status;
          if (status === 404 || status === 422) return undefined;
          throw error;
        }
      }),
    createCheckRun: (repo, run) =>
      call(`createCheckRun ${repo}@${run.headSha.slice(0, 7)} ${run.name}`, async () => {
        // Not retried here: a create whose answer was lost may have made the run, and a second one
        // would stay on the commit. The caller looks it up by external id before trying again.
        const { data } = await octokit.rest.checks.create({ ...splitRepo(repo), name: run.name, head_sha: run.headSha, external_id: run.externalId, ...checkRunFields(run), request: NOT_RETRIED });
        return data.id;
      }),

    updateCheckRun: (repo, id, run) =>
      call(`updateCheckRun ${repo} ${id}`, async () => {
        await octokit.rest.checks.update({ ...splitRepo(repo), check_run_id: id, ...checkRunFields(run) });
      }),

    findCheckRun: (repo, sha, name, externalId) =>
      call(`findCheckRun ${repo}@${sha.slice(0, 7)} ${name}`, async () => {
        // filter=all: a run that a Re-run replaced is still the one this build posted.
        const runs = await octokit.paginate(octokit.rest.checks.listForRef, { ...splitRepo(repo), ref: sha, check_name: name, filter: 'all', per_page: 100 });
        return runs.find((r) => r.external_id === externalId)?.id;
      }),

    createIssueComment: (repo, number, body) =>
      call(`createIssueComment ${repo}#${number}`, async () => {
        // Not retried here either (see createCheckRun): the caller finds the comment by its marker.
        const { data } = await octokit.rest.issues.createComment({ ...splitRepo(repo), issue_number: number, body, request: NOT_RETRIED });
        return data.id;
      }),

    updateIssueComment: (repo, commentId, body) =>
      call(`updateIssueComment ${repo} ${commentId}`, async () => {
        await octokit.rest.issues.updateComment({ ...splitRepo(repo), comment_id: commentId, body });
      }),

    findIssueComment: (repo, number, marker) =>
      call(`findIssueComment ${repo}#${number}`, async () => {
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...splitRepo(repo), issue_number: number, per_page: 100 });
        return comments.find((c) => c.body?.includes(marker))?.id;
      }),
  };
}

/** For creates that must not happen twice: plugin-retry's per-request count. */
const NOT_RETRIED = { retries: 0 };

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const annotationFields = (a: CheckAnnotation) => ({
  path: a.path, start_line: a.startLine, end_line: a.endLine, annotation_level: a.level, message: a.message,
  ...(a.title ? { title: a.title } : {}), ...(a.rawDetails ? { raw_details: a.rawDetails } : {}),
});

/** The fields a create and an update share, in GitHub's names; absent ones are not sent. */
function checkRunFields(run: CheckRunUpdate) {
  return {
    ...(run.status ? { status: run.status } : {}),
    ...(run.conclusion ? { conclusion: run.conclusion } : {}),
    ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
    ...(run.startedAt ? { started_at: isoSeconds(run.startedAt) } : {}),
    ...(run.completedAt ? { completed_at: isoSeconds(run.completedAt) } : {}),
    ...(run.output
      ? { output: { title: run.output.title, summary: run.output.summary, ...(run.output.text ? { text: run.output.text } : {}), ...(run.output.annotations?.length ? { annotations: run.output.annotations.map(annotationFields) } : {}) } }
      : {}),
  };
}
