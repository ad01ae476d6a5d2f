// Pull request comments go out through the outbox sender (master/outbox-sender.ts), so edits are
// spaced, retried and coalesced like commit statuses. Each post writes what the PR's head shows
// now: a create the first time (its intent written first, so after a crash the comment is found
// by its marker instead of posted twice), an edit after that.
import type { GitHubClient } from '../github/github-client.js';
import type { PrCommentRow, PrCommentStore } from '../store/pr-comment-store.js';
import { createOutboxSender, type OutboxSender, type SendingDeps } from '../outbox-sender.js';

export type PrCommentPoster = Pick<GitHubClient, 'createIssueComment' | 'updateIssueComment' | 'findIssueComment'>;

export interface PrCommentSenderDeps extends SendingDeps {
  store: PrCommentStore;
  /** The comment's body now, or null when none is wanted. */
  body(repo: string, pr: number): string | null;
  marker: string;
  github: PrCommentPoster;
}

export function createPrCommentSender(deps: PrCommentSenderDeps): OutboxSender {
  const { store, github } = deps;

  async function post(row: PrCommentRow): Promise<void> {
    const body = deps.body(row.repo, row.pr);
    if (body === null) return; // nothing to say yet (only skipped builds): no comment
    let id = row.comment_id ?? (row.create_sent_at !== null ? await github.findIssueComment(row.repo, row.pr, deps.marker) : undefined);
    if (id === undefined) {
      store.markCreateSent(row.repo, row.pr);
      id = await github.createIssueComment(row.repo, row.pr, body);
      store.setCommentId(row.repo, row.pr, id);
      return;
    }
    if (row.comment_id === null) store.setCommentId(row.repo, row.pr, id);
    await github.updateIssueComment(row.repo, id, body);
  }

  return createOutboxSender<PrCommentRow>({
    ...deps,
    what: 'pull request comment',
    outbox: store,
    post,
    describe: (row) => ({ repo: row.repo, pr: row.pr }),
  });
}
