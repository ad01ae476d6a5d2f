// Check runs go out through the outbox sender (master/outbox-sender.ts). Each post sends what the
// build shows now: created the first time (its intent written first, so after a crash the run is
// looked up by its external id, the build id, instead of created twice), updated after that, and
// once completed, its annotations in batches of 50, each batch recorded so none goes twice.
import type { GitHubClient } from '../github/github-client.js';
import { MAX_ANNOTATIONS_PER_REQUEST } from '../github/check-run-input.js';
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { BuildRequestStore, RequestRow } from '../store/build-request-store.js';
import type { CheckRunRow, CheckRunStore } from '../store/check-run-store.js';
import { createOutboxSender, type OutboxSender, type SendingDeps } from '../outbox-sender.js';
import type { CheckRunContent } from './check-run-content.js';

export type CheckRunPoster = Pick<GitHubClient, 'createCheckRun' | 'updateCheckRun' | 'findCheckRun'>;

export interface CheckRunSenderDeps extends SendingDeps {
  store: CheckRunStore;
  builds: Pick<BuildStore, 'get'>;
  requests: Pick<BuildRequestStore, 'get'>;
  /** What the build's run shows now (see check-run-content.ts). */
  content(build: BuildRow, request: RequestRow | undefined): CheckRunContent | null;
  github: CheckRunPoster;
}

export function createCheckRunSender(deps: CheckRunSenderDeps): OutboxSender {
  const { store, github } = deps;

  async function post(row: CheckRunRow): Promise<void> {
    const build = deps.builds.get(row.build_id);
    const content = build ? deps.content(build, deps.requests.get(build.request_id)) : null;
    if (!build || !content) return; // pruned, or nothing to show: nothing to send
    const externalId = String(build.id);
    let id = row.github_id ?? (row.create_sent_at !== null ? await github.findCheckRun(row.repo, row.sha, row.name, externalId) : undefined);
    if (id === undefined) {
      store.markCreateSent(build.id);
      id = await github.createCheckRun(row.repo, { name: row.name, headSha: row.sha, externalId, ...content.run });
      store.setGithubId(build.id, id);
    } else {
      if (row.github_id === null) store.setGithubId(build.id, id);
      await github.updateCheckRun(row.repo, id, content.run);
    }
    if (content.run.status !== 'completed') return;
    const { title, summary } = content.run.output;
    for (let sent = row.annotations_sent; sent < content.annotations.length; ) {
      const batch = content.annotations.slice(sent, sent + MAX_ANNOTATIONS_PER_REQUEST);
      await github.updateCheckRun(row.repo, id, { output: { title, summary, annotations: batch } });
      sent += batch.length;
      store.setAnnotationsSent(build.id, sent);
    }
  }

  return createOutboxSender<CheckRunRow>({
    ...deps,
    what: 'check run',
    outbox: store,
    post,
    describe: (row) => ({ build: row.build_id, check: row.name, sha: row.sha, transition: row.transition }),
  });
}
