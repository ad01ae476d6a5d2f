// Posts what a durable outbox holds, one request at a time, in the background: each time the
// newest due row, picked afresh, so a head pushed a moment ago goes before the stale heads and a
// row superseded while others went out is never posted. A failure never reaches the build: a
// transient one (5xx, no answer, rate limit) is retried with backoff, a permanent one (401, 404,
// 422) is logged and the row given up, so it does not hold back the rows behind it. A rate limit
// pauses every row until GitHub's reset: the limit is per token, not per commit.
// Commit statuses, check runs and pull request comments each have an outbox and go out through this.
import { GitHubApiError } from './github/github-api-error.js';
import type { Logger } from '../shared/logger.js';
import { retryDelay, DEFAULT_RETRY, type RetryPolicy } from './retry-delay.js';
import { backgroundDrain } from './background-drain.js';

/** What the sender reads of a row. */
export interface OutboxEntry {
  attempts: number;
  /** When what the row asks for was queued: a transient failure is retried until this is giveUpAfterMs old. */
  created_at: number;
}

/** The store side: each outbox decides what "pending", "sent" and "superseded" mean for its rows. */
export interface Outbox<Row extends OutboxEntry> {
  /** Rows to post now, the most urgent first. */
  due(limit: number): Row[];
  /** When the next row becomes due (it may be now), or undefined when nothing is pending. */
  nextDueAt(): number | undefined;
  /** Still waiting to go out as it was read (nothing newer replaced it during the post). */
  isPending(row: Row): boolean;
  markSent(row: Row): void;
  markRetry(row: Row, at: number, error: string): void;
  /** Given up (or replaced by something newer: then only the error is noted). */
  markFailed(row: Row, error: string): void;
}

export interface OutboxSenderOptions {
  retry?: RetryPolicy;
  /** A transient failure is retried until the row is this old, then given up (default 3 days). */
  giveUpAfterMs?: number;
}

/** What every outbox sender takes besides its outbox and its way of posting. */
export interface SendingDeps extends OutboxSenderOptions {
  logger: Logger;
  now: () => number;
  /** Told of each post GitHub did not take (the metrics count them). */
  onPostFailed?: () => void;
}

export interface OutboxSenderDeps<Row extends OutboxEntry> extends SendingDeps {
  /** What a row is, for the logs: "commit status". */
  what: string;
  outbox: Outbox<Row>;
  /** Send one row to GitHub; throws what the client throws. */
  post(row: Row): Promise<void>;
  /** Log fields that name the row. */
  describe(row: Row): Record<string, unknown>;
}

export function createOutboxSender<Row extends OutboxEntry>(deps: OutboxSenderDeps<Row>) {
  const { outbox, logger, now, what } = deps;
  const policy = deps.retry ?? DEFAULT_RETRY;
  const giveUpAfter = deps.giveUpAfterMs ?? 3 * 86_400_000;
  let pausedUntil = 0;
  const background = backgroundDrain(`${what} sender`, drain, { now, logger });
  const { record, schedule } = background;

  async function post(row: Row): Promise<void> {
    try {
      await deps.post(row);
    } catch (error) {
      deps.onPostFailed?.();
      record(() => failedPost(row, error));
      return;
    }
    record(() => outbox.markSent(row));
  }

  function failedPost(row: Row, error: unknown): void {
    const e = error instanceof GitHubApiError ? error : undefined;
    const message = (error as Error).message;
    const retryAt = e?.retryAt?.getTime();
    const transient = e ? e.transient : true; // anything else (a bug, a socket error) is worth another try
    if (retryAt !== undefined && (e?.status === 403 || e?.status === 429)) pausedUntil = Math.max(pausedUntil, retryAt);
    const about = deps.describe(row);
    if (!outbox.isPending(row)) {
      // Something newer was queued during the post: that goes instead.
      outbox.markFailed(row, message);
      logger.info({ ...about, err: message }, `${what} not posted; a newer one replaces it`);
    } else if (transient && now() - row.created_at < giveUpAfter) {
      const at = now() + retryDelay(row.attempts + 1, policy, retryAt, now());
      outbox.markRetry(row, at, message);
      logger.warn({ ...about, attempt: row.attempts + 1, retryInMs: at - now(), err: message }, `${what} not posted; will retry`);
    } else {
      outbox.markFailed(row, message);
      logger.error({ ...about, err: message }, `${what} given up`);
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      if (background.closed) return;
      if (pausedUntil > now()) return schedule(pausedUntil);
      // One row at a time: what is newest may change during each post.
      const [row] = outbox.due(1);
      if (!row) break;
      await post(row);
      // Yield to timers and I/O between posts, whatever the poster does.
      await new Promise((r) => setImmediate(r));
    }
    const next = outbox.nextDueAt();
    if (next !== undefined) schedule(Math.max(next, pausedUntil));
  }

  return {
    /** Post what is due, now (in the background). */
    wake: background.wake,
    /** Stop; waits up to `waitMs` for a post in flight (a row cut off is posted again after the next start). */
    close: (waitMs = 5_000) => background.close(waitMs),
  };
}
export type OutboxSender = ReturnType<typeof createOutboxSender>;
