// Commit statuses go out through the outbox sender (master/outbox-sender.ts): the newest build's
// due row first, at most one per (repo, sha, context), retried with backoff, given up for good on
// a permanent refusal.
import type { CommitStatusInput } from '../github/github-client.js';
import type { OutboxRow, StatusStore } from '../store/status-store.js';
import { createOutboxSender, type OutboxSender, type SendingDeps } from '../outbox-sender.js';

export interface StatusPoster {
  createStatus(repo: string, sha: string, status: CommitStatusInput): Promise<void>;
}

export interface StatusSenderDeps extends SendingDeps {
  outbox: StatusStore;
  github: StatusPoster;
}

export function createStatusSender(deps: StatusSenderDeps): OutboxSender {
  const { outbox, github } = deps;
  return createOutboxSender<OutboxRow>({
    ...deps,
    what: 'commit status',
    outbox: {
      due: (limit) => outbox.due(limit),
      nextDueAt: () => outbox.nextDueAt(),
      isPending: (row) => outbox.isPending(row.id),
      markSent: (row) => outbox.markSent(row.id),
      markRetry: (row, at, error) => outbox.markRetry(row.id, at, error),
      markFailed: (row, error) => outbox.markFailed(row.id, error),
    },
    post: (row) =>
      github.createStatus(row.repo, row.sha, { state: row.github_state, context: row.context, description: row.description, targetUrl: row.target_url ?? undefined }),
    describe: (row) => ({ build: row.build_id, context: row.context, sha: row.sha }),
  });
}
export type StatusSender = OutboxSender;
