// GitHub's Re-run buttons on check runs: `check_run.rerequested` names one run (its external id is
// the build id), `check_suite.rerequested` the whole head (every builder that built it). Who may
// press them follows the /retest rule: anyone trusted, or the pull request's own author when it
// needs no approval. The webhook carries no author association, so the presser's permission on the
// repository stands in for it (write or more counts as COLLABORATOR).
import type { BuilderConfig, Config } from '../../shared/config.js';
import type { Change } from '../intake/change.js';
import type { BuildStore } from '../store/build-store.js';
import type { GitHubLookups } from './github-lookups.js';
import type { Decision, Outcome } from './decide-builders.js';
import { isTrustedUser, needsApproval } from './trust.js';
import { builderServes, type ServedRepo } from '../repos/repository-of.js';

/** The decision for a builder the Re-run asks for, after its no_<builder> label and skip strings. */
export type HoldBack = (builder: BuilderConfig, pull: Change, queued: Decision) => Promise<Decision>;

/** The change completed from the builds it names: their builders, pull request, ref and clone URL; or why it names none of ours. */
export function resolveRerun(change: Change, builds: Pick<BuildStore, 'get' | 'forHead'>, config: Config): { change: Change } | { note: string } {
  const rerun = change.rerun;
  if (!rerun || !change.sha) return { note: 'not a Re-run' };
  if (!config.github.app || rerun.appId !== config.github.app.appId) return { note: `a check of another app (${rerun.appId ?? 'none'})` };
  const head = builds.forHead(change.repo, change.sha);
  const named = rerun.scope === 'run' ? head.filter((b) => b.id === rerun.buildId) : head;
  const known = named.filter((b) => config.builders.some((c) => c.name === b.builder));
  const newest = known[0];
  if (!newest) return { note: rerun.scope === 'run' ? `no build ${rerun.buildId ?? '(no external id)'} of this head` : 'no build of this head' };
  return {
    change: {
      ...change,
      pr: newest.pr, ref: newest.ref, cloneUrl: newest.clone_url ?? change.cloneUrl,
      builders: [...new Set(known.map((b) => b.builder))],
    },
  };
}

const WRITE = new Set(['admin', 'maintain', 'write']);

export async function decideForRerun(change: Change, config: Config, repo: ServedRepo, github: GitHubLookups | undefined, holdBack: HoldBack): Promise<Outcome> {
  const by = (change.rerun as NonNullable<Change['rerun']>).by;
  const none = (note: string): Outcome => ({ change, decisions: [], approve: false, note });
  const permission = await github?.getCollaboratorPermission(change.repo, by).catch(() => 'none' as const);
  const trusted = await isTrustedUser(by, permission && WRITE.has(permission) ? 'COLLABORATOR' : null, repo.trusted, github);
  let full = change;
  let mayRerun = trusted;
  if (change.pr !== null) {
    if (!github) return none('a Re-run of a pull request needs the GitHub API to look it up');
    const pull = await github.getPull(change.repo, change.pr);
    if (pull.state !== 'open') return none(`pull request #${pull.number} is ${pull.state}`);
    if (pull.headSha !== change.sha) return none(`${change.sha?.slice(0, 7)} is no longer the head of #${pull.number}`);
    full = { ...change, baseRef: pull.baseRef, headRepo: pull.headRepo, author: pull.author, authorAssociation: pull.authorAssociation, title: pull.title, draft: pull.draft, labels: pull.labels };
    mayRerun = trusted || (!(await needsApproval(full, repo, github)) && by.toLowerCase() === pull.author.toLowerCase());
  }
  if (!mayRerun) return { change: full, decisions: [], approve: false, note: `${by} is not allowed to trigger builds` };
  const decisions: Decision[] = [];
  for (const name of change.builders ?? []) {
    const builder = config.builders.find((b) => b.name === name);
    if (!builder || !builderServes(builder, change.repo)) continue;
    decisions.push(await holdBack(builder, full, { builder: name, verdict: 'queue', reason: `Re-run by ${by}` }));
  }
  return { change: full, decisions, approve: false, note: decisions.length ? null : 'no builder to re-run' };
}
