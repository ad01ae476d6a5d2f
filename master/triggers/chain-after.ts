// Builders that run after another one succeeds (`triggers.after`): the finished build becomes a
// change of kind 'after', stored in the same transaction that ended the build, so a crash cannot
// lose the chain. The change processor then queues the followers on the same commit.
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import type { ChangeStore } from '../store/change-store.js';
import type { Change } from '../intake/change.js';

export function chainAfter(config: Config, changes: ChangeStore): (build: BuildRow) => void {
  const followed = new Set(config.builders.map((b) => b.triggers.after).filter((n): n is string => n !== undefined));
  return (build) => {
    if (build.result !== 'success' || !followed.has(build.builder)) return;
    const change: Change = {
      kind: 'after', event: 'build', action: 'success', repo: build.repo, cloneUrl: build.clone_url ?? '',
      pr: build.pr, sha: build.sha, ref: build.ref, baseRef: null, headRepo: null, author: null, authorAssociation: null,
      title: null, draft: false, labels: [], label: null, headCommitMessage: null, changedFiles: null, comment: null,
      builder: build.builder, upstreamBuild: build.id, reason: `after ${build.builder} #${build.number} succeeded`,
    };
    changes.insert(null, change);
  };
}
