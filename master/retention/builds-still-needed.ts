// Builds retention must keep although they are old or over budget: those a queued or running build
// may still download artifacts from. A step's `download` takes the newest successful build of its
// `from` builder on the same repository and commit (dispatch/resolve-download.ts), so that build is
// needed for as long as a build of that commit is not finished.
import type { BuilderConfig } from '../../shared/config.js';
import { stepDownloads } from '../dispatch/step-downloads.js';
import type { BuildStore } from '../store/build-store.js';

export function buildsStillNeeded(builds: Pick<BuildStore, 'unfinishedHeads' | 'newestSuccess'>, builders: readonly BuilderConfig[]): Set<number> {
  const needed = new Set<number>();
  for (const build of builds.unfinishedHeads()) {
    const steps = builders.find((b) => b.name === build.builder)?.steps ?? [];
    for (const from of new Set(stepDownloads(steps).map((d) => d.from))) {
      const upstream = builds.newestSuccess(build.repo, build.sha, from);
      if (upstream !== undefined) needed.add(upstream);
    }
  }
  return needed;
}
