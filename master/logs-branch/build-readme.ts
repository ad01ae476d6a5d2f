// The README.md of a build's folder on the logs branch: what GitHub shows at the status's Details
// link. Everything here comes from the database and config; the caller masks the result.
import { formatDuration } from '../../shared/duration.js';
import type { BuildRow } from '../store/build-store.js';
import type { BuildSummary } from '../logs/build-summary.js';
import { formatJunitCounts } from '../logs/junit-summary.js';
import { cell, fenced } from '../markdown.js';

export interface ReadmeInput {
  build: BuildRow;
  /** https://github.com/owner/repo */
  repoWebUrl: string;
  vmImage: string | undefined;
  /** The build in the master's UI, when it has a public URL. */
  uiUrl: string | undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function facts(input: ReadmeInput): string[] {
  const b = input.build;
  const rows: Array<[string, string]> = [
    ['Builder', cell(b.builder)],
    ['Pull request', b.pr === null ? cell(b.ref) : `[#${b.pr}](${input.repoWebUrl}/pull/${b.pr})`],
    ['Commit', b.sha ? `[\`${b.sha}\`](${input.repoWebUrl}/commit/${b.sha})` : '–'],
    ['Result', cell(b.result ?? b.state)],
  ];
  if (b.result_reason) rows.push(['Why', cell(b.result_reason)]);
  rows.push(['Asked by', cell(b.reason)], ['Worker', cell(b.worker)]);
  if (input.vmImage) rows.push(['VM image', cell(input.vmImage)]);
  rows.push(['Started', cell(iso(b.started_at))]);
  if (b.finished_at !== null) rows.push(['Finished', cell(iso(b.finished_at))]);
  if (b.finished_at !== null && b.started_at !== null) rows.push(['Duration', formatDuration(b.finished_at - b.started_at)]);
  if (input.uiUrl) rows.push(['On the CI host', `[build ${b.id}](${input.uiUrl})`]);
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

/** While the build runs: a page that says so, replaced when it ends. */
export function renderPlaceholderReadme(input: ReadmeInput): string {
  const b = input.build;
  return [`# ${b.builder} #${b.number}: running`, '', ...facts(input), '', 'The build is running; this page is replaced by its logs when it ends.', ''].join('\n');
}

export function renderReadme(input: ReadmeInput, summary: BuildSummary, logNames: Map<string, string>): string {
  const b = input.build;
  const out = [`# ${b.builder} #${b.number}: ${b.result ?? b.state}`, '', ...facts(input), '', '## Steps', ''];
  if (summary.steps.length === 0) out.push('No step ran.', '');
  else {
    out.push('| # | Step | Result | Duration | Exit code | Log |', '|---|---|---|---|---|---|');
    for (const s of summary.steps) {
      const log = logNames.get(s.step);
      const result = s.reason && s.result !== 'success' ? `${s.result ?? s.state} (${s.reason})` : (s.result ?? s.state);
      out.push(`| ${cell(s.step)} | ${cell(s.name)} | ${cell(result)} | ${s.duration_ms === null ? '–' : formatDuration(s.duration_ms)} | ${cell(s.exit_code)} | ${log ? `[${log}](${log})` : 'no output'} |`);
    }
    out.push('');
  }
  const junit = summary.junit;
  if (junit) {
    out.push('## Tests', '', `${formatJunitCounts(junit)} (JUnit: ${summary.junitFiles.map((f) => `\`${f.path}\``).join(', ')}).`, '');
    for (const u of junit.unreadable) out.push(`- Not read: ${cell(u)}`);
    if (junit.unreadable.length) out.push('');
    if (junit.failures.length > 0) {
      out.push('### Failures', '');
      for (const f of junit.failures) {
        const id = [f.classname, f.name].filter(Boolean).join('.') || f.suite || 'test';
        out.push(`#### ${cell(id)} (${f.kind})`, '');
        if (f.message) out.push(fenced(f.message), '');
        if (f.detail && f.detail !== f.message) out.push('<details><summary>Details</summary>', '', fenced(f.detail), '', '</details>', '');
      }
      if (junit.failed > junit.failures.length) out.push(`…and ${junit.failed - junit.failures.length} more.`, '');
    }
  }
  return out.join('\n');
}
