// Retention, all of it: the logs branch, the database, the files on disk. Run daily by the master
// and by `gatehouse prune`. Each part runs even when another fails; the first failure is rethrown
// after all ran, so the command exits non-zero.
import type { Stores } from '../store/stores.js';
import type { Logger } from '../../shared/logger.js';
import type { LogsRepo } from '../logs-branch/logs-repo.js';
import { pruneLogsBranch, type BranchPruneResult } from './prune-logs-branch.js';
import { pruneDatabase, type DatabasePruneResult } from './prune-database.js';
import { pruneLocalFiles } from './prune-local-files.js';

export interface RetentionDeps {
  stores: Stores;
  dataDir: string;
  keepDays: number;
  /** Runs `fn` with the logs clone to itself; absent when no logs branch is configured. */
  withLogsRepo?: <T>(fn: (repo: LogsRepo) => Promise<T>) => Promise<T>;
  logger: Logger;
  now: () => number;
}

export interface RetentionResult {
  cutoff: number;
  branch: BranchPruneResult | null;
  database: DatabasePruneResult;
  filesRemoved: number;
}

export async function pruneRetention(deps: RetentionDeps): Promise<RetentionResult> {
  const cutoff = deps.now() - deps.keepDays * 86_400_000;
  let failure: unknown;
  let branch: BranchPruneResult | null = null;
  if (deps.withLogsRepo) {
    try {
      branch = await deps.withLogsRepo((repo) => pruneLogsBranch(repo, cutoff, deps.logger));
    } catch (error) {
      failure = error;
      deps.logger.error({ err: (error as Error).message }, 'retention on the logs branch failed');
    }
  }
  const database = pruneDatabase(deps.stores, cutoff);
  const { removed } = pruneLocalFiles(deps.stores.builds, deps.dataDir, deps.now());
  deps.logger.info({ cutoff: new Date(cutoff).toISOString(), builds: database.buildIds.length, changes: database.changes, deliveries: database.deliveries, filesRemoved: removed, branchDropped: branch?.dropped.length ?? null }, 'retention done');
  if (failure) throw failure;
  return { cutoff, branch, database, filesRemoved: removed };
}
