// Retention, all of it: the logs branch of each logs location (by age and logs.branchKeepBytes), the database and the files on disk (by age and by
// size, as plan-retention.ts decides), then a look at how full the data disk still is. Run daily by
// the master and by `gatehouse prune`. Each part runs even when another fails; the first failure
// is rethrown after all ran, so the command exits non-zero.
import type { Stores } from '../store/stores.js';
import type { BuilderConfig } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { LogsRepo } from '../logs-branch/logs-repo.js';
import { pruneLogsBranch, type BranchPruneResult } from './prune-logs-branch.js';
import { pruneDatabase, type DatabasePruneResult } from './prune-database.js';
import { pruneLocalFiles } from './prune-local-files.js';
import { planRetention, type RetentionPlan } from './plan-retention.js';
import { warnIfDataDiskFull } from '../storage-health.js';

export interface RetentionDeps {
  stores: Stores;
  dataDir: string;
  /** logs.keepDays; null without a logs section (nothing expires by age). */
  keepDays: number | null;
  /** storage.keepBytes; null for no size budget. */
  keepBytes: number | null;
  /** logs.branchKeepBytes; null for no size budget on the logs branch. */
  branchKeepBytes: number | null;
  /** Their downloads say which builds a queued or running build still needs. */
  builders: readonly BuilderConfig[];
  warnAbovePercent: number;
  /** One per logs location (logs-locations.ts): runs `fn` with its clone to itself. Empty without a logs section. */
  logsBranches: WithLogsRepo[];
  logger: Logger;
  now: () => number;
}

/** Runs `fn` with one logs location's clone to itself. */
export type WithLogsRepo = <T>(fn: (repo: LogsRepo) => Promise<T>) => Promise<T>;

export interface RetentionResult {
  plan: RetentionPlan;
  /** All logs locations together (folder names do not repeat across them: build numbers are per builder); null when none was pruned. */
  branch: BranchPruneResult | null;
  database: DatabasePruneResult;
  filesRemoved: number;
}

/** The plan alone, for --dry-run: nothing is removed. */
export function retentionPlan(deps: Pick<RetentionDeps, 'stores' | 'dataDir' | 'keepDays' | 'keepBytes' | 'builders' | 'now'>): RetentionPlan {
  const cutoff = deps.keepDays === null ? null : deps.now() - deps.keepDays * 86_400_000;
  return planRetention(deps.stores, deps.dataDir, { cutoff, keepBytes: deps.keepBytes, builders: deps.builders });
}

/** The age before which logs-branch folders go; -Infinity when only its size budget applies, null when neither does. */
export function branchCutoff(cutoff: number | null, branchKeepBytes: number | null): number | null {
  return cutoff ?? (branchKeepBytes === null ? null : -Infinity);
}

export async function pruneRetention(deps: RetentionDeps): Promise<RetentionResult> {
  const plan = retentionPlan(deps);
  const { cutoff } = plan;
  let failure: unknown;
  let branch: BranchPruneResult | null = null;
  const onBranch = branchCutoff(cutoff, deps.branchKeepBytes);
  for (const withLogsRepo of onBranch === null ? [] : deps.logsBranches) {
    try {
      const one = await withLogsRepo((repo) => pruneLogsBranch(repo, onBranch as number, deps.branchKeepBytes, deps.logger));
      branch = branch
        ? { kept: branch.kept + one.kept, dropped: [...branch.dropped, ...one.dropped], unknown: [...branch.unknown, ...one.unknown] }
        : one;
    } catch (error) {
      failure ??= error;
      deps.logger.error({ err: (error as Error).message }, 'retention on the logs branch failed');
    }
  }
  const database = pruneDatabase(deps.stores, plan.builds.map((b) => b.buildId), cutoff);
  const { removed } = pruneLocalFiles(deps.stores.builds, deps.dataDir, deps.now());
  const bySize = plan.builds.filter((b) => b.why === 'size').length;
  deps.logger.info({
    cutoff: cutoff === null ? null : new Date(cutoff).toISOString(), builds: database.buildIds.length, bySize, bytesBefore: plan.bytesBefore, bytesAfter: plan.bytesAfter,
    changes: database.changes, deliveries: database.deliveries, filesRemoved: removed, branchDropped: branch?.dropped.length ?? null,
  }, 'retention done');
  warnIfDataDiskFull(deps.dataDir, deps.warnAbovePercent, deps.logger);
  if (failure) throw failure;
  return { plan, branch, database, filesRemoved: removed };
}
