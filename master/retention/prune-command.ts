// `gatehouse prune`: retention by hand, while the master runs or not. It works in a clone of its own
// (removed afterwards), so it never touches the master's clone; the master's next push is then
// rejected (the branch was rewritten), and it writes its builds again on the new tip. With
// dryRun it only works out the plan: nothing is removed, and the logs branch is cloned only to
// list the folders a rewrite would drop. Every logs location (logs-locations.ts) is pruned, each in
// a clone of its own.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { openDatabase } from '../store/open-database.js';
import { createStores } from '../store/stores.js';
import { openLogsRepo } from '../logs-branch/open-logs-repo.js';
import { logsLocations } from '../logs-branch/logs-locations.js';
import { branchCutoff, pruneRetention, retentionPlan, type RetentionDeps } from './prune-retention.js';
import { classifyFolders } from './prune-logs-branch.js';
import type { RetentionPlan } from './plan-retention.js';

export interface PruneCommandOptions {
  /** Default: a logger at the level of GATEHOUSE_LOG_LEVEL (else info). */
  logger?: Logger;
  now?: () => number;
  gitBinary?: string;
  /** List what would go, remove nothing. */
  dryRun?: boolean;
}

/** What went (or, dry, would go); null when the config sets neither logs.keepDays nor storage.keepBytes (nothing expires). */
export async function runPruneCommand(loaded: LoadedConfig, options: PruneCommandOptions = {}): Promise<{ plan: RetentionPlan; branchDropped: string[] | null } | null> {
  const { config } = loaded;
  const keepBytes = config.storage.keepBytes ?? null;
  if (!config.logs && keepBytes === null) return null;
  const dir = path.join(config.dataDir, `logs-repo-prune-${process.pid}`);
  const repos = logsLocations(config).map((location) => openLogsRepo(config, location, loaded.secrets, { dir, gitBinary: options.gitBinary }));
  const db = openDatabase(path.join(config.dataDir, 'gatehouse.sqlite'));
  try {
    const deps: RetentionDeps = {
      stores: createStores(db), dataDir: config.dataDir, keepDays: config.logs?.keepDays ?? null, keepBytes, branchKeepBytes: config.logs?.branchKeepBytes ?? null, builders: config.builders,
      warnAbovePercent: config.storage.warnAbovePercent, logger: options.logger ?? createLogger({ name: 'prune' }), now: options.now ?? Date.now,
      logsBranches: repos.map((repo) => async (fn) => {
        await repo.ensure();
        return fn(repo);
      }),
    };
    if (options.dryRun) {
      const plan = retentionPlan(deps);
      const cutoff = branchCutoff(plan.cutoff, deps.branchKeepBytes);
      if (repos.length === 0 || cutoff === null) return { plan, branchDropped: null };
      const branchDropped: string[] = [];
      for (const repo of repos) {
        await repo.ensure();
        if (await repo.reset()) branchDropped.push(...classifyFolders(repo.dir, cutoff, deps.branchKeepBytes).drop);
      }
      return { plan, branchDropped };
    }
    const result = await pruneRetention(deps);
    return { plan: result.plan, branchDropped: result.branch?.dropped ?? null };
  } finally {
    for (const repo of repos) rmSync(repo.dir, { recursive: true, force: true });
    db.close();
  }
}
