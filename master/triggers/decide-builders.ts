// Which builders run for a change, and which are skipped (with the reason, so a required status
// still ends) or wait for approval. Builders a change does not concern get no decision at all.
import picomatch from 'picomatch';
import type { BuilderConfig, Config } from '../../shared/config.js';
import type { Change } from '../intake/change.js';
import type { GitHubLookups } from './github-lookups.js';
import { needsApproval, isTrustedUser } from './trust.js';
import { parseCommentCommands } from './parse-comment-commands.js';
import { findSkipString, skipStringsFor } from './skip-strings.js';
import { builderServes, repositoryOf, type ServedRepo } from '../repos/repository-of.js';
import { decideForRerun } from './rerun.js';

export type Verdict = 'queue' | 'await-approval' | 'skip';
export interface Decision {
  builder: string;
  verdict: Verdict;
  reason: string;
  /** Run only the builder's docs steps (a skip string that means "docs"). */
  docsOnly?: boolean;
}

export interface Outcome {
  /** The change, completed from the API where the webhook lacked fields (comments have no sha). */
  change: Change;
  decisions: Decision[];
  /** A trusted approve command: release this PR's requests that await approval. */
  approve: boolean;
  /** Why nothing happens, when nothing does. */
  note: string | null;
  /** Builders whose queued or running builds of this PR end as skipped (their no_<builder> label was just added). */
  skipOpen?: Array<{ builder: string; reason: string }>;
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
      files ??= github.listPullFiles(change.repo, change.pr, change.sha).catch(() => null);
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
  if (!builderServes(b, change.repo)) return false;
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

/** What a label or a skip string says about a builder: skip it, or run its docs steps only. */
interface Holdback {
  then: 'skip' | 'docs';
  why: string;
}

/**
 * A no_<builder> label or a skip string of the change: these hold for every way a build is asked
 * for (webhooks, /retest, rebuilds), unless forced.
 */
async function holdback(b: BuilderConfig, change: Change, repo: ServedRepo, facts: ReturnType<typeof lookupsFor>): Promise<Holdback | null> {
  if (change.labels.includes(`no_${b.name}`)) return { then: 'skip', why: `label no_${b.name}` };
  const strings = skipStringsFor(b, repo);
  const inTitle = findSkipString(strings, change.title);
  if (inTitle) return { then: inTitle.then, why: `${inTitle.match} in the title` };
  if (strings.length > 0) {
    const inMessage = findSkipString(strings, await facts.headMessage());
    if (inMessage) return { then: inMessage.then, why: `${inMessage.match} in the head commit message` };
  }
  return null;
}

/** A docs-only build of a builder without docs steps would run nothing: it is skipped instead. */
const hasDocsSteps = (b: BuilderConfig) => b.steps.some((s) => s.docs);

/** Turn a holdback into the decision for a builder that would otherwise be queued with `queued`. */
function heldBack(b: BuilderConfig, held: Holdback | null, queued: Decision): Decision {
  if (!held) return queued;
  if (held.then === 'docs' && hasDocsSteps(b)) return { ...queued, reason: `${queued.reason}; docs only: ${held.why}`, docsOnly: true };
  const why = held.then === 'docs' ? `${held.why} and no docs steps` : held.why;
  return { builder: b.name, verdict: 'skip', reason: `skipped: ${why}` };
}

/** The reason to skip this builder for this change before any holdback (draft, paths), or null. */
async function triggerSkip(b: BuilderConfig, change: Change, facts: ReturnType<typeof lookupsFor>): Promise<string | null> {
  const t = b.triggers;
  if (change.draft && !(t.pullRequest !== false && t.pullRequest.drafts)) return 'draft pull request';
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

/** For pull_request.labeled: builders whose no_<builder> label this is. */
function labelledOff(change: Change, config: Config): Array<{ builder: string; reason: string }> {
  if (change.kind !== 'pull_request' || change.action !== 'labeled' || !change.label) return [];
  return config.builders
    .filter((b) => change.label === `no_${b.name}` && builderServes(b, change.repo))
    .map((b) => ({ builder: b.name, reason: `skipped: label no_${b.name} added` }));
}

/** A rebuild of a PR build sees the PR as it is now (its labels and title); without the API, as stored. */
async function currentPull(change: Change, github: GitHubLookups | undefined): Promise<Change> {
  if (!github || change.pr === null) return change;
  const pull = await github.getPull(change.repo, change.pr).catch(() => null);
  return pull ? { ...change, title: pull.title, labels: pull.labels } : change;
}

export async function decideBuilders(change: Change, config: Config, github: GitHubLookups | undefined): Promise<Outcome> {
  const repo = repositoryOf(config, change);
  if (change.kind === 'comment') return decideForComment(change, config, repo, github);
  if (change.kind === 'rerun') return decideForRerun(change, config, repo, github, async (b, pull, queued) => heldBack(b, await holdback(b, pull, repo, lookupsFor(pull, github)), queued));
  if (change.kind === 'after') {
    const decisions = config.builders
      .filter((b) => b.triggers.after === change.builder && builderServes(b, change.repo))
      .map((b) => ({ builder: b.name, verdict: 'queue' as const, reason: change.reason ?? `after ${change.builder}` }));
    return { change, approve: false, note: decisions.length ? null : 'no builder runs after this one', decisions };
  }
  // Asked for by name by an admin's force or the builder's own schedule: no trigger rule applies.
  if (change.kind === 'force' || change.kind === 'schedule') {
    return { change, approve: false, note: null, decisions: [{ builder: change.builder as string, verdict: 'queue', reason: change.reason ?? change.kind }] };
  }
  if (change.kind === 'rebuild') {
    const b = config.builders.find((x) => x.name === change.builder);
    const queued: Decision = { builder: change.builder as string, verdict: 'queue', reason: change.reason ?? 'rebuild' };
    if (!b || change.force) return { change, approve: false, note: null, decisions: [queued] };
    const current = await currentPull(change, github);
    return { change, approve: false, note: null, decisions: [heldBack(b, await holdback(b, current, repo, lookupsFor(current, github)), queued)] };
  }
  const facts = lookupsFor(change, github);
  const gated = change.pr !== null && (await needsApproval(change, repo, github));
  const decisions: Decision[] = [];
  for (const b of config.builders) {
    if (!concerns(b, change)) continue;
    const skip = await triggerSkip(b, change, facts);
    const reason = change.reason ?? describeChange(change);
    if (skip) decisions.push({ builder: b.name, verdict: 'skip', reason: `skipped: ${skip}` });
    else decisions.push(heldBack(b, await holdback(b, change, repo, facts), { builder: b.name, verdict: gated ? 'await-approval' : 'queue', reason }));
  }
  const skipOpen = labelledOff(change, config);
  const note = decisions.length > 0 ? null : skipOpen.length > 0 ? skipOpen.map((s) => `${s.builder}: ${s.reason}`).join('; ') : 'no builder is triggered by this change';
  return { change, decisions, approve: false, note, ...(skipOpen.length > 0 ? { skipOpen } : {}) };
}

function describeChange(c: Change): string {
  if (c.kind === 'push') return `push to ${c.baseRef}`;
  if (c.kind === 'reconcile') return 'reconcile: no webhook seen for this head';
  return `pull request #${c.pr} ${c.action}`;
}

async function decideForComment(change: Change, config: Config, repo: ServedRepo, github: GitHubLookups | undefined): Promise<Outcome> {
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
  const commenterTrusted = await isTrustedUser(comment.author, comment.association, repo.trusted, github);
  const approve = commenterTrusted && commands.some((c) => c.command === config.github.approveCommand);
  // The PR's own author may re-run a PR that needs no approval; anyone trusted may re-run any.
  const prGated = await needsApproval(full, repo, github);
  const mayRetest = commenterTrusted || (!prGated && comment.author.toLowerCase() === pull.author.toLowerCase());
  // --force overrides labels and skip strings; only the repository's admins may use it.
  const forceAsked = commands.some((c) => c.force);
  const isAdmin = forceAsked && (await github.getCollaboratorPermission(change.repo, comment.author).catch(() => 'none')) === 'admin';
  const facts = lookupsFor(full, github);
  const decisions: Decision[] = [];
  for (const b of config.builders) {
    if (!builderServes(b, change.repo)) continue;
    const mine = commands.filter((c) => b.triggers.comments.includes(c.command) && (c.target === null || c.target === b.name));
    const asked = mine.length > 0;
    const approved = approve && b.triggers.pullRequest !== false;
    if (!(asked && mayRetest) && !approved) continue;
    const forced = asked && mayRetest && isAdmin && mine.some((c) => c.force);
    const label = asked ? `${mine[0]?.command}${forced ? ' --force' : ''}` : config.github.approveCommand;
    const queued: Decision = { builder: b.name, verdict: 'queue', reason: `${label} by ${comment.author}` };
    decisions.push(forced ? queued : heldBack(b, await holdback(b, full, repo, facts), queued));
  }
  const refusedForce = forceAsked && !isAdmin && decisions.length > 0 ? `--force ignored: ${comment.author} is not an admin of ${change.repo}` : null;
  const note = decisions.length > 0 || approve ? refusedForce : mayRetest ? 'the command names no builder of this CI' : `${comment.author} is not allowed to trigger builds`;
  return { change: full, decisions, approve, note };
}
