// The lines `gatehouse prune` prints: each build that goes (or, dry, would go) with its size and
// why, then the total.
import { formatSize } from '../../shared/size.js';
import type { RetentionPlan } from './plan-retention.js';

export function describePlan(plan: RetentionPlan, dryRun: boolean): string[] {
  const why = (reason: 'age' | 'size') =>
    reason === 'age'
      ? `finished before ${new Date(plan.cutoff ?? 0).toISOString()} (logs.keepDays)`
      : `over storage.keepBytes (${formatSize(plan.keepBytes ?? 0)})`;
  const lines = plan.builds.map((b) => `build ${b.buildId} (${b.builder}, finished ${new Date(b.finishedAt).toISOString()}): ${formatSize(b.bytes)}, ${why(b.why)}`);
  const freed = plan.bytesBefore - plan.bytesAfter;
  lines.push(`${dryRun ? 'would remove' : 'removed'} ${plan.builds.length} build(s), ${formatSize(freed)}; logs and artifacts in the data directory: ${formatSize(plan.bytesBefore)} -> ${formatSize(plan.bytesAfter)}`);
  return lines;
}
