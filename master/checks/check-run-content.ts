// What a build's check run shows, read from its current state: queued (or waiting for approval),
// in progress with the Details link, or completed with its conclusion, a Markdown summary (steps,
// durations, the failing step's last lines), each step's result as the text, and an annotation per
// JUnit failure (at its file and line when the report gives them, else at the report itself).
// Everything here comes from webhooks, workers and logs: the caller's secrets are masked out.
import { formatDuration } from '../../shared/duration.js';
import { maskSecrets } from '../../shared/mask-secrets.js';
import type { CheckAnnotation, CheckConclusion, CheckRunInput } from '../github/check-run-input.js';
import { MAX_OUTPUT_CHARS } from '../github/check-run-input.js';
import type { BuildRow } from '../store/build-store.js';
import type { RequestRow } from '../store/build-request-store.js';
import type { StepRow } from '../store/step-store.js';
import type { BuildSummary } from '../logs/build-summary.js';
import { formatJunitCounts, type JunitFailure } from '../logs/junit-summary.js';
import { transitionFor } from '../statuses/build-status.js';
import { cell, fenced } from '../markdown.js';

export interface CheckRunContentInput {
  build: BuildRow;
  request: Pick<RequestRow, 'state' | 'attempts'> | undefined;
  summary: () => BuildSummary;
  /** The last lines of the failing step's log ('' when it has none). */
  failedStepTail: (step: StepRow) => string;
  approveCommand: string;
  /** The build's logs or UI page. */
  detailsUrl: string | undefined;
  secrets: readonly string[];
}

export interface CheckRunContent {
  /** Without annotations: they go in batches (GitHub takes 50 per request). */
  run: Omit<CheckRunInput, 'name' | 'headSha' | 'externalId'> & { output: NonNullable<CheckRunInput['output']> };
  annotations: CheckAnnotation[];
}

/** GitHub's limit on an annotation's raw_details. */
const MAX_RAW_DETAILS = 64 * 1024 - 1;
const CONCLUSIONS: Record<string, CheckConclusion> = { success: 'success', failure: 'failure', error: 'failure', cancelled: 'cancelled', skipped: 'skipped' };

/** Cut Markdown to GitHub's limit, saying so. */
export function fitOutput(text: string, limit = MAX_OUTPUT_CHARS): string {
  if (text.length <= limit) return text;
  const note = '\n\n… (cut: GitHub shows at most 65535 characters here)';
  return text.slice(0, limit - note.length) + note;
}

/** "failure (exit code 1)", "success". */
export function stepResult(s: StepRow): string {
  const result = s.result ?? s.state;
  const why = s.exit_code !== null && s.result !== 'success' ? `exit code ${s.exit_code}` : s.result !== 'success' ? s.reason : null;
  return why ? `${result} (${why})` : result;
}
const duration = (ms: number | null) => (ms === null ? '–' : formatDuration(ms));

function stepsTable(steps: StepRow[]): string[] {
  if (steps.length === 0) return ['No step ran.'];
  return ['| # | Step | Result | Duration |', '|---|---|---|---|', ...steps.map((s) => `| ${cell(s.step)} | ${cell(s.name)} | ${cell(stepResult(s))} | ${duration(s.duration_ms)} |`)];
}

/** The text: each step's result, one section each. */
function stepsText(steps: StepRow[]): string {
  return steps
    .map((s) => {
      const facts = [`Result: ${stepResult(s)}`, `Duration: ${duration(s.duration_ms)}`, `Output: ${s.log_bytes} bytes`];
      if (s.reason && s.result === 'success') facts.push(`Note: ${s.reason}`);
      return [`### ${s.step}. ${s.name}`, '', ...facts.map((f) => `- ${f}`)].join('\n');
    })
    .join('\n\n');
}

function annotationOf(f: JunitFailure, mask: (text: string) => string): CheckAnnotation {
  const line = f.line ?? 1;
  const test = [f.classname, f.name].filter(Boolean).join('.') || f.suite || 'test';
  return {
    path: f.file ?? f.report,
    startLine: line,
    endLine: line,
    level: 'failure',
    title: mask(`${test} (${f.kind})`),
    message: mask(f.message || `test ${f.kind}`),
    ...(f.detail && f.detail !== f.message ? { rawDetails: mask(f.detail).slice(0, MAX_RAW_DETAILS) } : {}),
  };
}

/** null when the build has no commit to put a check run on. */
export function checkRunContent(input: CheckRunContentInput): CheckRunContent | null {
  const { build } = input;
  const transition = transitionFor(build, input.request, input.approveCommand, input.summary);
  if (!transition) return null;
  const mask = (text: string) => maskSecrets(text, input.secrets);
  const title = mask(transition.description);
  const link = input.detailsUrl ? { detailsUrl: input.detailsUrl } : {};
  const lines: string[] = [];
  if (build.state === 'queued') {
    const what = transition.key === 'awaiting' ? `waits for a trusted user to comment \`${input.approveCommand}\`` : 'is queued';
    lines.push(`${build.builder} #${build.number} ${what}.`, '', `Asked by: ${cell(build.reason)}`);
    return { run: { status: 'queued', ...link, output: { title, summary: mask(lines.join('\n')) } }, annotations: [] };
  }
  const summary = input.summary();
  const started = build.started_at !== null ? { startedAt: new Date(build.started_at) } : {};
  if (build.state === 'running') {
    lines.push(`${build.builder} #${build.number} is running${build.worker ? ` on ${cell(build.worker)}` : ''}.`, '', ...stepsTable(summary.steps));
    return { run: { status: 'in_progress', ...link, ...started, output: { title, summary: fitOutput(mask(lines.join('\n'))) } }, annotations: [] };
  }
  lines.push(...stepsTable(summary.steps));
  if (build.finished_at !== null && build.started_at !== null) lines.push('', `Took ${formatDuration(build.finished_at - build.started_at)}.`);
  const failed = build.result !== 'success' ? summary.failedStep : undefined;
  const tail = failed ? input.failedStepTail(failed) : '';
  if (failed && tail) lines.push('', `### Last lines of ${cell(failed.name)}`, '', fenced(tail));
  if (summary.junit && summary.junit.tests > 0) lines.push('', `**Tests:** ${formatJunitCounts(summary.junit)}.`);
  const text = summary.steps.length > 0 ? fitOutput(mask(stepsText(summary.steps))) : undefined;
  return {
    run: {
      status: 'completed',
      conclusion: CONCLUSIONS[build.result ?? ''] ?? 'neutral',
      ...link,
      ...started,
      ...(build.finished_at !== null ? { completedAt: new Date(build.finished_at) } : {}),
      output: { title, summary: fitOutput(mask(lines.join('\n'))), ...(text ? { text } : {}) },
    },
    annotations: (summary.junit?.failures ?? []).map((f) => annotationOf(f, mask)),
  };
}
