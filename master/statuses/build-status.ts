// The commit status a build's current state maps to. Each transition has a key, unique per build,
// so the outbox stores (and GitHub gets) each transition once however often the event is seen.
// A build put back in the queue after a lost worker is a new attempt: its keys carry the attempt.
import type { CommitState } from '../github/github-client.js';
import type { BuildRow } from '../store/build-store.js';
import type { RequestRow } from '../store/build-request-store.js';
import type { BuildSummary } from '../logs/build-summary.js';
import { formatJunitCounts } from '../logs/junit-summary.js';

export interface StatusTransition {
  /** awaiting | queued@<attempts> | started@<attempts> | finished */
  key: string;
  state: CommitState;
  description: string;
  /** True for the statuses that link to the logs folder (the build has run). */
  ran: boolean;
}

/** "Build done." style: one sentence, no doubled period. */
const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** null when the build has no commit to put a status on. */
export function transitionFor(
  build: BuildRow,
  request: Pick<RequestRow, 'state' | 'attempts'> | undefined,
  approveCommand: string,
  summary: () => BuildSummary,
): StatusTransition | null {
  if (!build.sha) return null;
  const attempts = request?.attempts ?? 0;
  if (build.state === 'running') return { key: `started@${attempts}`, state: 'pending', description: 'Build started.', ran: true };
  if (build.state === 'queued') {
    if (request?.state === 'awaiting-approval') return { key: 'awaiting', state: 'pending', description: `Waiting for ${approveCommand}.`, ran: false };
    return { key: `queued@${attempts}`, state: 'pending', description: 'Build queued.', ran: false };
  }
  return { key: 'finished', ...finalStatus(build, summary), ran: build.started_at !== null };
}

function finalStatus(build: BuildRow, summary: () => BuildSummary): { state: CommitState; description: string } {
  const reason = build.result_reason ?? build.cancel_requested;
  switch (build.result) {
    case 'skipped':
      // decide-builders already says "skipped: <why>"; a required check must still turn green.
      return { state: 'success', description: reason?.startsWith('skipped') ? reason : `skipped: ${reason ?? 'not needed for this change'}` };
    case 'cancelled': {
      // The master's reason (superseded, cancelled through the API) over the worker's echo of it.
      const why = (build.cancel_requested ?? build.result_reason)?.replace(/^cancell?ed:\s*/i, '');
      return { state: 'error', description: sentence(`Build cancelled: ${why || 'no reason given'}`) };
    }
    case 'success':
    case 'failure':
    case 'error':
    case null: {
      const s = summary();
      const parts: string[] = [];
      if (build.result !== 'success' && s.failedStep) {
        const how = s.failedStep.result === 'error' ? 'errored' : 'failed';
        const code = s.failedStep.exit_code !== null ? ` (exit code ${s.failedStep.exit_code})` : s.failedStep.reason ? ` (${s.failedStep.reason})` : '';
        parts.push(`Step ${s.failedStep.name} ${how}${code}`);
      } else if (build.result === 'error' && reason) {
        parts.push(`Error: ${reason}`);
      }
      if (s.junit && s.junit.tests > 0) parts.push(formatJunitCounts(s.junit));
      const state: CommitState = build.result === 'success' ? 'success' : build.result === 'failure' ? 'failure' : 'error';
      return { state, description: parts.length ? `Build done. ${sentence(parts.join('; '))}` : 'Build done.' };
    }
  }
}
