// Reconcile: webhooks that never arrived. smee.io stores nothing and GitHub does not redeliver, so
// now and then the open pull requests are listed through the API, and a head with no build for a
// builder that should build it gets a change of kind 'reconcile'. That change goes through the same
// triggers as a webhook (draft, skip strings, no_<builder> labels, paths, the trust gate); the pass
// only decides which builders it is for.
import type { Config } from '../../shared/config.js';
import type { GitHubClient, PullSummary } from '../github/github-client.js';
import type { Change } from '../intake/change.js';
import type { Stores } from '../store/stores.js';
import type { ChangeProcessor } from './change-processor.js';
import { concerns } from './decide-builders.js';
import type { Logger } from '../../shared/logger.js';
import { repositoryOf } from '../repos/repository-of.js';
import { notServedReason } from '../intake/served-repos.js';

export const RECONCILE_REASON = 'reconcile: no webhook seen for this head';

export interface ReconcileDeps {
  config: Config;
  stores: Pick<Stores, 'builds' | 'changes'>;
  processor: ChangeProcessor;
  github: Pick<GitHubClient, 'listOpenPulls'>;
  logger: Logger;
  /** Aborted when the master closes: a pass whose API call returns afterwards changes nothing. */
  signal?: AbortSignal;
}

export interface ReconcileResult {
  /** PR numbers a reconcile change was queued for (of every served repository). */
  queued: number[];
  /** The same, as "owner/name#number". */
  queuedPulls: string[];
  open: number;
}

export function reconcileChange(config: Config, pull: PullSummary, builders: string[]): Change {
  return {
    kind: 'reconcile', event: 'reconcile', action: null,
    repo: pull.baseRepo, cloneUrl: repositoryOf(config, { repo: pull.baseRepo }).cloneUrl ?? `${config.github.webUrl.replace(/\/+$/, '')}/${pull.baseRepo}.git`,
    pr: pull.number, sha: pull.headSha, ref: `refs/pull/${pull.number}/head`, baseRef: pull.baseRef,
    headRepo: pull.headRepo, author: pull.author, authorAssociation: pull.authorAssociation,
    title: pull.title, draft: pull.draft, labels: pull.labels, label: null,
    headCommitMessage: null, changedFiles: null, comment: null,
    reason: RECONCILE_REASON, builders,
  };
}

export function createReconciler(deps: ReconcileDeps) {
  const { config, processor, github, logger } = deps;
  const { builds, changes } = deps.stores;

  /** Builders that should have a build for this head and have none. */
  function missingBuilders(pull: PullSummary): string[] {
    const probe = reconcileChange(config, pull, []);
    delete probe.builders;
    return config.builders
      .filter((b) => concerns(b, probe))
      .filter((b) => {
        const seen = builds.resultsForHead(pull.baseRepo, pull.number, b.name, pull.headSha);
        // A head skipped as a draft was not built; once the PR is ready (and that webhook was lost) it is due.
        return !seen.some((row) => pull.draft || !(row.result === 'skipped' && row.result_reason?.endsWith('draft pull request')));
      })
      .map((b) => b.name);
  }

  return {
    async pass(): Promise<ReconcileResult> {
      // Changes already accepted are evaluated first, so their builds count as seen.
      await processor.kick();
      const queued: PullSummary[] = [];
      let open = 0;
      for (const { repo } of config.github.repos) {
        const pulls = await github.listOpenPulls(repo);
        open += pulls.length;
        if (deps.signal?.aborted) break;
        // Oldest first: their builds queue in the order the PRs were opened.
        for (const pull of [...pulls].sort((a, b) => a.number - b.number)) {
          if (pull.baseRepo.toLowerCase() !== repo.toLowerCase()) {
            logger.info({ pr: pull.number, listed: repo }, `reconcile: ${notServedReason(pull.baseRepo)}`);
            continue;
          }
          if (changes.pendingForHead(pull.baseRepo, pull.number, pull.headSha) > 0) continue;
          const missing = missingBuilders(pull);
          if (missing.length === 0) continue;
          changes.insert(null, reconcileChange(config, pull, missing));
          queued.push(pull);
        }
      }
      const queuedPulls = queued.map((p) => `${p.baseRepo}#${p.number}`);
      if (queued.length > 0) {
        logger.warn({ prs: queuedPulls, builders: config.builders.length }, 'reconcile: queued pull request heads no webhook had announced');
        await processor.kick();
      }
      return { queued: queued.map((p) => p.number), queuedPulls, open };
    },
  };
}
export type Reconciler = ReturnType<typeof createReconciler>;
