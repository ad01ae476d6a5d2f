// The base branch a pull request's build merges into (a builder with `mergeBase: true`): the one
// the PR's newest change named. Rebuilds and chained builds carry none of their own, so the PR's
// changes are asked, not the build's.
import type { BuildRow } from '../store/build-store.js';
import type { ChangeStore } from '../store/change-store.js';

export type MergeBaseResolver = (build: BuildRow) => string | undefined;

export function createMergeBaseResolver(changes: ChangeStore): MergeBaseResolver {
  return (build) => (build.pr === null ? undefined : changes.newestBaseRef(build.repo, build.pr));
}
