// Turns build transitions into outbox rows, following builds as master/build-follower.ts does, so
// a status always ends.
import type { Config } from '../../shared/config.js';
import { maskSecrets } from '../../shared/mask-secrets.js';
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { BuildRequestStore } from '../store/build-request-store.js';
import type { StatusStore } from '../store/status-store.js';
import type { Logger } from '../../shared/logger.js';
import type { BuildSummaryReader } from '../logs/build-summary.js';
import { transitionFor } from './build-status.js';
import { targetUrlFor } from './target-url.js';
import { repositoryOf } from '../repos/repository-of.js';
import { followBuilds } from '../build-follower.js';

export interface StatusReporterDeps {
  config: Config;
  builds: BuildStore;
  requests: BuildRequestStore;
  outbox: StatusStore;
  readSummary: BuildSummaryReader;
  secrets: readonly string[];
  logger: Logger;
  now: () => number;
  /** Called after a row was added (the sender wakes up). */
  onAdded: () => void;
}

/** The context of a builder's statuses: {builder} and {repo} ("owner/name") are replaced. */
export function statusContext(template: string, builder: string, repo: string): string {
  return template.replaceAll('{builder}', builder).replaceAll('{repo}', repo);
}

export function createStatusReporter(deps: StatusReporterDeps) {
  const { config, builds, outbox, logger } = deps;

  /** Queue the status for the build's current state; true when it was new. */
  function record(build: BuildRow): boolean {
    const request = deps.requests.get(build.request_id);
    const transition = transitionFor(build, request, config.github.approveCommand, () => deps.readSummary(build.id));
    if (!transition || outbox.has(build.id, transition.key)) return false;
    const added = outbox.add({
      buildId: build.id,
      transition: transition.key,
      repo: build.repo,
      sha: build.sha as string,
      context: statusContext(config.github.statusContext, build.builder, repositoryOf(config, build).repo),
      state: transition.state,
      // Reasons come from webhooks, workers and the API: masked like a log line before they go public.
      description: maskSecrets(transition.description, deps.secrets),
      targetUrl: targetUrlFor(config, build, transition.ran),
    });
    if (added) deps.onAdded();
    return added;
  }

  return followBuilds({ what: 'commit status', record, builds, logger, now: deps.now });
}
export type StatusReporter = ReturnType<typeof createStatusReporter>;
