// The pull request comment: for the PR's head, a table of its builders with result, duration and
// links, and the failing step's last lines of each failed build. A hidden marker names this CI, so
// the comment is found again (one per PR and CI) and other comments are never touched.
import { formatDuration } from '../../shared/duration.js';
import { maskSecrets } from '../../shared/mask-secrets.js';
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { StepRow } from '../store/step-store.js';
import { cell, fenced } from '../markdown.js';
import { fitOutput, stepResult } from '../checks/check-run-content.js';

/** The newest build of each listed builder for the PR's head commit (what the comment shows), by builder name. */
export function headBuilds(builds: Pick<BuildStore, 'newestOfPull' | 'forHead'>, repo: string, pr: number, listed: (builder: string) => boolean): BuildRow[] {
  const newest = builds.newestOfPull(repo, pr);
  if (!newest?.sha) return [];
  const seen = new Set<string>();
  return builds
    .forHead(repo, newest.sha)
    .filter((b) => b.pr === pr && listed(b.builder) && !seen.has(b.builder) && seen.add(b.builder))
    .sort((a, b) => a.builder.localeCompare(b.builder));
}

/** What the comment shows, in brief: a change here is a change of the comment. */
export const shownOf = (builds: BuildRow[]): string => JSON.stringify(builds.map((b) => [b.builder, b.id, b.state, b.result]));

export interface PrCommentInput {
  builds: BuildRow[];
  /** The hidden line that identifies this CI's comment. */
  marker: string;
  whenAllSkipped: boolean;
  /** The first failed step of a build, and its last lines. */
  failure: (build: BuildRow) => { step: StepRow; tail: string } | undefined;
  /** The build's logs or UI page. */
  link: (build: BuildRow) => string | undefined;
  secrets: readonly string[];
}

/** null: no comment wanted (no builds, or only skipped ones unless configured). */
export function prCommentBody(input: PrCommentInput): string | null {
  const { builds } = input;
  if (builds.length === 0) return null;
  if (!input.whenAllSkipped && builds.every((b) => b.result === 'skipped')) return null;
  const sha = builds[0]?.sha ?? '';
  const lines = [input.marker, `### CI results for ${sha.slice(0, 7)}`, '', '| Builder | Result | Duration | Details |', '|---|---|---|---|'];
  for (const b of builds) {
    const took = b.finished_at !== null && b.started_at !== null ? formatDuration(b.finished_at - b.started_at) : '–';
    const result = b.result === 'skipped' ? `skipped${b.result_reason ? `: ${b.result_reason.replace(/^skipped:\s*/, '')}` : ''}` : (b.result ?? b.state);
    const link = input.link(b);
    lines.push(`| ${cell(b.builder)} | ${cell(result)} | ${took} | ${link ? `[#${b.number}](${link})` : `#${b.number}`} |`);
  }
  for (const b of builds.filter((x) => x.result === 'failure' || x.result === 'error')) {
    const failure = input.failure(b);
    if (!failure) continue;
    lines.push('', `<details><summary>${cell(b.builder)}: step ${cell(failure.step.name)} ${cell(stepResult(failure.step))}</summary>`, '');
    if (failure.tail) lines.push(fenced(failure.tail), '');
    lines.push('</details>');
  }
  return fitOutput(maskSecrets(lines.join('\n'), input.secrets));
}
