// Turns build transitions into pr_comments rows: whenever what a pull request's comment shows
// changes (a build of its head queued, started, finished), its row asks for one more edit. Follows
// builds as master/build-follower.ts does, so the comment always ends up current.
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { PrCommentStore } from '../store/pr-comment-store.js';
import type { Logger } from '../../shared/logger.js';
import { followBuilds, type BuildFollower } from '../build-follower.js';
import { headBuilds, shownOf } from './pr-comment-content.js';

export interface PrCommentReporterDeps {
  builds: BuildStore;
  store: PrCommentStore;
  /** Whether the comment lists this builder. */
  listed: (builder: string) => boolean;
  logger: Logger;
  now: () => number;
  onAdded: () => void;
}

export function createPrCommentReporter(deps: PrCommentReporterDeps): BuildFollower {
  function record(build: BuildRow): boolean {
    if (build.pr === null || !deps.listed(build.builder)) return false;
    const added = deps.store.want(build.repo, build.pr, shownOf(headBuilds(deps.builds, build.repo, build.pr, deps.listed)));
    if (added) deps.onAdded();
    return added;
  }
  return followBuilds({ what: 'pull request comment', record, builds: deps.builds, logger: deps.logger, now: deps.now });
}
