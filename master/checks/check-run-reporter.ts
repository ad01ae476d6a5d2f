// Turns build transitions into check_runs rows (one per build, its version bumped at each
// transition), following builds as master/build-follower.ts does, so a run always completes.
import { repositoryOf } from '../repos/repository-of.js';
import type { Config } from '../../shared/config.js';
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { BuildRequestStore } from '../store/build-request-store.js';
import type { CheckRunStore } from '../store/check-run-store.js';
import type { Logger } from '../../shared/logger.js';
import type { BuildSummary } from '../logs/build-summary.js';
import { transitionFor } from '../statuses/build-status.js';
import { statusContext } from '../statuses/status-reporter.js';
import { followBuilds, type BuildFollower } from '../build-follower.js';

export interface CheckRunReporterDeps {
  config: Config;
  builds: BuildStore;
  requests: BuildRequestStore;
  store: CheckRunStore;
  logger: Logger;
  now: () => number;
  /** Called after a run was asked to change (the sender wakes up). */
  onAdded: () => void;
}

const NO_SUMMARY: BuildSummary = { steps: [], failedStep: undefined, junitFiles: [], junit: undefined };

export function createCheckRunReporter(deps: CheckRunReporterDeps): BuildFollower {
  const { config, store } = deps;
  function record(build: BuildRow): boolean {
    // Only the key is kept (the sender reads the rest when it posts): no need to read the build's summary.
    const transition = transitionFor(build, deps.requests.get(build.request_id), config.github.approveCommand, () => NO_SUMMARY);
    if (!transition || store.has(build.id, transition.key)) return false;
    const added = store.want({ buildId: build.id, repo: build.repo, sha: build.sha as string, name: statusContext(config.github.statusContext, build.builder, repositoryOf(config, build).repo), transition: transition.key });
    if (added) deps.onAdded();
    return added;
  }
  return followBuilds({ what: 'check run', record, builds: deps.builds, logger: deps.logger, now: deps.now });
}
