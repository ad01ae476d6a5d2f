// Commit statuses and logs-branch updates that keep failing: the same signals as the metrics (each
// failed post or push, and the backlog still owed), turned into one notification when failures
// have gone on for `failingAfterMs` and one more when the backlog is empty again. Kept in memory: a
// restart starts the clock again, and the first failure after it sets it going.
import type { Notify } from './worker-watch.js';
import { formatDuration } from '../../shared/duration.js';

export type ReportingPart = 'statuses' | 'logs';

const LABELS: Record<ReportingPart, string> = { statuses: 'commit statuses', logs: 'logs branch updates' };

export interface ReportingWatchDeps {
  /** What is still owed: the metrics' gatehouse_status_backlog and gatehouse_logs_backlog. */
  backlog: Record<ReportingPart, () => number>;
  notify: Notify;
  now: () => number;
  failingAfterMs: number;
}

export function createReportingWatch(deps: ReportingWatchDeps) {
  const { notify, now } = deps;
  const state: Record<ReportingPart, { since?: number; told: boolean }> = { statuses: { told: false }, logs: { told: false } };

  return {
    /** A post or push failed (it is retried). */
    failed(part: ReportingPart): void {
      state[part].since ??= now();
    },
    /** Compare with the backlog now (run every so often). */
    check(): void {
      for (const part of ['statuses', 'logs'] as const) {
        const s = state[part];
        if (s.since === undefined) continue;
        const topic = `reporting:${part}`;
        if (deps.backlog[part]() === 0) {
          if (s.told) notify(topic, `${part}-recovered@${s.since}`, { kind: 'reporting-recovered', title: `${LABELS[part]} go through again`, at: now() });
          state[part] = { told: false };
        } else if (!s.told && now() - s.since >= deps.failingAfterMs) {
          s.told = true;
          notify(topic, `${part}-failing@${s.since}`, {
            kind: 'reporting-failing', title: `${LABELS[part]} have been failing for ${formatDuration(now() - s.since)}`,
            detail: `${deps.backlog[part]()} still owed; see the master's log and gatehouse_${part === 'statuses' ? 'status_post' : 'logs_push'}_failures_total`, at: now(),
          });
        }
      }
    },
  };
}
