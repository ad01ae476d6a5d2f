// Which builders run for a change, and which are skipped (with the reason, so a required status
// still ends) or wait for approval. Builders a change does not concern get no decision at all.
import picomatch from 'picomatch';
import type { BuilderConfig, Config } from '../../shared/config.js';
import type { Change } from '../intake/change.js';
import type { GitHubLookups } from './github-lookups.js';
import { needsApproval, isTrustedUser } from './trust.js';
import { parseCommentCommands } from './parse-comment-commands.js';
import { decideForRerun } from './rerun.js';

export type Verdict = 'queue' | 'await-approval' | 'skip';
export interface Decision {
  builder: string;
  verdict: Verdict;
  reason: string;
}

export interface Outcome {
  /** The change, completed from the API where the webhook lacked fields (comments have no sha). */
  change: Change;
  decisions: Decision[];
  /** A trusted approve command: release this PR's requests that await approval. */
  approve: boolean;
  /** Why nothing happens, when nothing does. */
  note: string | null;
}

function globMatcher(globs: string[]): (path: string) => boolean {
  const isMatch = picomatch(globs, { dot: true });
  return (path) => isMatch(path);
}

/** Lazily fetched facts about one change, each fetched at most once. */
function lookupsFor(change: Change, github: GitHubLookups | undefined) {
  let files: Promise<string[] | null> | undefined;
  let message: Promise<string | null> | undefined;
  return {
    files(): Promise<string[] | null> {
      if (change.changedFiles) return Promise.resolve(change.changedFiles);
      if (!github || change.pr === null) return Promise.resolve(null);
      files ??= github.listPullFiles(change.repo, change.pr).catch(() => null);
      return files;
    },
    headMessage(): Promise<string | null> {
      if (change.headCommitMessage !== null) return Promise.resolve(change.headCommitMessage);
      if (!github || !change.sha) return Promise.resolve(null);
      message ??= github.getHeadCommitMessage(change.repo, change.sha).catch(() => null);
      return message;
    },
  };
}

/** Is this builder concerned by the event at all? */
export function concerns(b: BuilderConfig, change: Change): boolean {
  const t = b.triggers;
  if (change.kind === 'pull_request') {
    if (t.pullRequest === false || !change.action) return false;
    if (!t.pullRequest.actions.includes(change.action as never)) return false;
    if (change.action === 'labeled' && (!t.label || change.label !== t.label)) return false;
    return globMatcher(t.pullRequest.branches)(change.baseRef ?? '');
  }
  if (change.kind === 'push') {
    if (t.push === false || !change.ref) return false;
    if (change.ref.startsWith('refs/tags/')) return t.push.tags.length > 0 && globMatcher(t.push.tags)(change.baseRef ?? '');
    return t.push.branches.length > 0 && globMatcher(t.push.branches)(change.baseRef ?? '');
  }
  if (change.kind === 'reconcile') {
    // A reconcile pass stands in for a lost opened/synchronize: builders that build new heads of
    // PRs to this base, limited to those the pass found without a build.
    if (t.pullRequest === false || (change.builders && !change.builders.includes(b.name))) return false;
    if (!t.pullRequest.actions.some((a) => a === 'opened' || a === 'synchronize')) return false;
    return globMatcher(t.pullRequest.branches)(change.baseRef ?? '');
  }
  return false;
}

/** The reason to skip this builder for this change, or null to build it. */
async function skipReason(b: BuilderConfig, change: Change, facts: ReturnType<typeof lookupsFor>): Promise<string | null> {
  const t = b.triggers;
  if (change.draft && !(t.pullRequest !== false && t.pullRequest.drafts)) return 'draft pull request';
  if (change.labels.includes(`no_${b.name}`)) return `label no_${b.name}`;
  const inTitle = t.skipTitle.find((s) => change.title?.toLowerCase().includes(s.toLowerCase()));
  if (inTitle) return `${inTitle} in the title`;
  if (t.skipTitle.length > 0) {
    const message = await facts.headMessage();
    const inMessage = t.skipTitle.find((s) => message?.toLowerCase().includes(s.toLowerCase()));
    if (inMessage) return `${inMessage} in the head commit message`;
  }
  if (t.paths || t.ignorePaths) {
    const files = await facts.files();
    // Without the file list (API down), build rather than miss a change.
    if (files !== null) {
      const counted = t.ignorePaths ? files.filter((f) => !globMatcher(t.ignorePaths as string[])(f)) : files;
      const wanted = t.paths ? counted.filter(globMatcher(t.paths)) : counted;
      if (wanted.length === 0) return t.paths ? `no changed file matches ${t.paths.join(', ')}` : 'only ignored paths changed';
    }
  }
  return null;
}

export async function decideBuilders(change: Change, config: Config, github: GitHubLookups | undefined): Promise<Outcome> {
  if (change.kind === 'comment') return decideForComment(change, config, github);
  if (change.kind === 'rerun') return decideForRerun(change, config, github);
  if (change.kind === 'after') {
    const decisions = config.builders
      .filter((b) => b.triggers.after === change.builder)
      .map((b) => ({ builder: b.name, verdict: 'queue' as const, reason: change.reason ?? `after ${change.builder}` }));
    return { change, approve: false, note: decisions.length ? null : 'no builder runs after this one', decisions };
  }
  if (change.kind === 'rebuild') {
    return { change, approve: false, note: null, decisions: [{ builder: change.builder as string, verdict: 'queue', reason: change.reason ?? 'rebuild' }] };
  }
  const facts = lookupsFor(change, github);
  const gated = change.pr !== null && (await needsApproval(change, config.github, github));
  const decisions: Decision[] = [];
  for (const b of config.builders) {
    if (!concerns(b, change)) continue;
    const skip = await skipReason(b, change, facts);
    const reason = change.reason ?? describeChange(change);
    if (skip) decisions.push({ builder: b.name, verdict: 'skip', reason: `skipped: ${skip}` });
    else decisions.push({ builder: b.name, verdict: gated ? 'await-approval' : 'queue', reason });
  }
  return { change, decisions, approve: false, note: decisions.length === 0 ? 'no builder is triggered by this change' : null };
}

function describeChange(c: Change): string {
  if (c.kind === 'push') return `push to ${c.baseRef}`;
  if (c.kind === 'reconcile') return 'reconcile: no webhook seen for this head';
  return `pull request #${c.pr} ${c.action}`;
}

async function decideForComment(change: Change, config: Config, github: GitHubLookups | undefined): Promise<Outcome> {
  const comment = change.comment as NonNullable<Change['comment']>;
  const none = (note: string): Outcome => ({ change, decisions: [], approve: false, note });
  const allCommands = [...new Set(config.builders.flatMap((b) => b.triggers.comments))];
  const commands = parseCommentCommands(comment.body, [...allCommands, config.github.approveCommand]);
  if (commands.length === 0) return none('no command in the comment');
  if (!github || change.pr === null) return none('a comment command needs the GitHub API to look up the pull request');
  const pull = await github.getPull(change.repo, change.pr);
  if (pull.state !== 'open') return none(`pull request #${pull.number} is ${pull.state}`);
  const full: Change = {
    ...change, sha: pull.headSha, baseRef: pull.baseRef, headRepo: pull.headRepo, author: pull.author,
    authorAssociation: pull.authorAssociation, title: pull.title, draft: pull.draft, labels: pull.labels,
  };
  const commenterTrusted = await isTrustedUser(comment.author, comment.association, config.github.trusted, github);
  const approve = commenterTrusted && commands.some((c) => c.command === config.github.approveCommand);
  // The PR's own author may re-run a PR that needs no approval; anyone trusted may re-run any.
  const prGated = await needsApproval(full, config.github, github);
  const mayRetest = commenterTrusted || (!prGated && comment.author.toLowerCase() === pull.author.toLowerCase());
  const decisions: Decision[] = [];
  for (const b of config.builders) {
    const asked = commands.some((c) => b.triggers.comments.includes(c.command) && (c.target === null || c.target === b.name));
    const approved = approve && b.triggers.pullRequest !== false;
    if (!(asked && mayRetest) && !approved) continue;
    const label = asked ? commands.find((c) => b.triggers.comments.includes(c.command))?.command : config.github.approveCommand;
    decisions.push({ builder: b.name, verdict: 'queue', reason: `${label} by ${comment.author}` });
  }
  const note = decisions.length > 0 || approve ? null : mayRetest ? 'the command names no builder of this CI' : `${comment.author} is not allowed to trigger builds`;
  return { change: full, decisions, approve, note };
}
