// `gatehouse prune`: retention by hand, while the master runs or not. It works in a clone of its own
// (removed afterwards), so it never touches the master's clone; the master's next push is then
// rejected (the branch was rewritten), and it writes its builds again on the new tip.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { openDatabase } from '../store/open-database.js';
import { createStores } from '../store/stores.js';
import { openLogsRepo } from '../logs-branch/open-logs-repo.js';
import { pruneRetention, type RetentionResult } from './prune-retention.js';

export interface PruneCommandOptions {
  /** Default: a logger at the level of GATEHOUSE_LOG_LEVEL (else info). */
  logger?: Logger;
  now?: () => number;
  gitBinary?: string;
}

/** Prune what is past `logs.keepDays`; null when the config has no logs section (nothing expires). */
export async function runPruneCommand(loaded: LoadedConfig, options: PruneCommandOptions = {}): Promise<RetentionResult | null> {
  const { config } = loaded;
  if (!config.logs) return null;
  const db = openDatabase(path.join(config.dataDir, 'gatehouse.sqlite'));
  const dir = path.join(config.dataDir, `logs-repo-prune-${process.pid}`);
  try {
    const repo = openLogsRepo(config, config.logs, loaded.secrets, { dir, gitBinary: options.gitBinary });
    return await pruneRetention({
      stores: createStores(db), dataDir: config.dataDir, keepDays: config.logs.keepDays, logger: options.logger ?? createLogger({ name: 'prune' }), now: options.now ?? Date.now,
      withLogsRepo: async (fn) => {
        await repo.ensure();
        return fn(repo);
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    db.close();
  }
}
