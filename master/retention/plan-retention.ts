// Which builds retention takes, and why: first those finished before the age cutoff
// (logs.keepDays), then, while the builds' files in the data directory are over the size budget
// (storage.keepBytes), the oldest remaining finished builds. Never a running or queued build, the
// newest of a builder (build numbers must not restart), or one a queued or running build still
// downloads from. `gatehouse prune --dry-run` prints this plan; a real run carries it out.
import type { BuilderConfig } from '../../shared/config.js';
import type { Stores } from '../store/stores.js';
import { diskUsageByBuild } from './build-disk-usage.js';
import { buildsStillNeeded } from './builds-still-needed.js';

export interface PlannedPrune {
  buildId: number;
  builder: string;
  finishedAt: number;
  /** Its logs and artifacts in the data directory. */
  bytes: number;
  why: 'age' | 'size';
}

export interface RetentionPlan {
  /** Builds finished before this go by age; null without logs.keepDays. */
  cutoff: number | null;
  keepBytes: number | null;
  builds: PlannedPrune[];
  /** All builds' logs and artifacts in the data directory, before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

export interface RetentionPolicy {
  cutoff: number | null;
  keepBytes: number | null;
  builders: readonly BuilderConfig[];
}

export function planRetention(stores: Pick<Stores, 'builds'>, dataDir: string, policy: RetentionPolicy): RetentionPlan {
  const usage = diskUsageByBuild(dataDir);
  const needed = buildsStillNeeded(stores.builds, policy.builders);
  const candidates = stores.builds.finishedOldestFirst().filter((b) => !needed.has(b.id));
  const bytesBefore = [...usage.values()].reduce((sum, n) => sum + n, 0);
  let bytesAfter = bytesBefore;
  const builds: PlannedPrune[] = [];
  for (const build of candidates) {
    const byAge = policy.cutoff !== null && build.finished_at < policy.cutoff;
    const bySize = !byAge && policy.keepBytes !== null && bytesAfter > policy.keepBytes;
    if (!byAge && !bySize) continue;
    const bytes = usage.get(build.id) ?? 0;
    builds.push({ buildId: build.id, builder: build.builder, finishedAt: build.finished_at, bytes, why: byAge ? 'age' : 'size' });
    bytesAfter -= bytes;
  }
  return { cutoff: policy.cutoff, keepBytes: policy.keepBytes, builds, bytesBefore, bytesAfter };
}
