// Posts what the outbox holds, one request at a time, in the background: each time the newest
// build's due row, picked afresh, so a head pushed a moment ago goes before the stale heads and a
// row superseded while others went out is never posted. A failure never reaches
// the build: a transient one (5xx, no answer, rate limit) is retried with backoff, a permanent one
// (401, 404, 422) is logged and the row given up, so it does not hold back the rows behind it.
// A rate limit pauses every row until GitHub's reset: the limit is per token, not per commit.
import type { CommitStatusInput } from '../github/github-client.js';
import { GitHubApiError } from '../github/github-api-error.js';
import type { Logger } from '../../shared/logger.js';
import type { OutboxRow, StatusStore } from '../store/status-store.js';
import { retryDelay, DEFAULT_RETRY, type RetryPolicy } from '../retry-delay.js';
import { backgroundDrain } from '../background-drain.js';

export interface StatusPoster {
  createStatus(repo: string, sha: string, status: CommitStatusInput): Promise<void>;
}

export interface StatusSenderOptions {
  retry?: RetryPolicy;
  /** A transient failure is retried until the row is this old, then given up (default 3 days). */
  giveUpAfterMs?: number;
}

export interface StatusSenderDeps extends StatusSenderOptions {
  outbox: StatusStore;
  github: StatusPoster;
  logger: Logger;
  now: () => number;
  /** Told of each post GitHub did not take (the metrics count them). */
  onPostFailed?: () => void;
}

export function createStatusSender(deps: StatusSenderDeps) {
  const { outbox, github, logger, now } = deps;
  const policy = deps.retry ?? DEFAULT_RETRY;
  const giveUpAfter = deps.giveUpAfterMs ?? 3 * 86_400_000;
  let pausedUntil = 0;
  const drain = backgroundDrain('status sender', pass, { now, logger });
  const { record, schedule } = drain;

  async function post(row: OutboxRow): Promise<void> {
    try {
      await github.createStatus(row.repo, row.sha, {
        state: row.github_state, context: row.context, description: row.description, targetUrl: row.target_url ?? undefined,
      });
    } catch (error) {
      deps.onPostFailed?.();
      record(() => failedPost(row, error));
      return;
    }
    record(() => outbox.markSent(row.id));
  }

  function failedPost(row: OutboxRow, error: unknown): void {
    const e = error instanceof GitHubApiError ? error : undefined;
    const message = (error as Error).message;
    const retryAt = e?.retryAt?.getTime();
    const transient = e ? e.transient : true; // anything else (a bug, a socket error) is worth another try
    if (retryAt !== undefined && (e?.status === 403 || e?.status === 429)) pausedUntil = Math.max(pausedUntil, retryAt);
    if (!outbox.isPending(row.id)) {
      // A newer state of this (sha, context) was queued during the post: that one goes instead.
      outbox.markFailed(row.id, message);
      logger.info({ build: row.build_id, context: row.context, sha: row.sha, err: message }, 'commit status not posted; a newer one replaces it');
    } else if (transient && now() - row.created_at < giveUpAfter) {
      const at = now() + retryDelay(row.attempts + 1, policy, retryAt, now());
      outbox.markRetry(row.id, at, message);
      logger.warn({ build: row.build_id, context: row.context, sha: row.sha, attempt: row.attempts + 1, retryInMs: at - now(), err: message }, 'commit status not posted; will retry');
    } else {
      outbox.markFailed(row.id, message);
      logger.error({ build: row.build_id, context: row.context, sha: row.sha, err: message }, 'commit status given up');
    }
  }

  async function pass(): Promise<void> {
    for (;;) {
      if (drain.closed) return;
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
    wake: drain.wake,
    /** Stop; waits up to `waitMs` for a post in flight (a row cut off is posted again after the next start). */
    close: (waitMs = 5_000) => drain.close(waitMs),
  };
}
export type StatusSender = ReturnType<typeof createStatusSender>;
