// The logs clone for a config: where it lives, the remote, and how git authenticates (the token
// through askpass, for http(s) remotes only). Shared by the master and `gatehouse prune`.
import path from 'node:path';
import type { Config } from '../../shared/config.js';
import { createGitRunner } from '../../shared/run-git.js';
import { askpassEnv, checkRemote, remoteWantsToken } from './git-askpass.js';
import { createLogsRepo, LOGS_IDENTITY, type LogsRepo } from './logs-repo.js';

export interface OpenLogsRepoOptions {
  /** The clone's directory (default <dataDir>/logs-repo). */
  dir?: string;
  gitBinary?: string;
}

/** Throws when the remote is unusable (a password in its URL). */
export function openLogsRepo(config: Config, logs: NonNullable<Config['logs']>, secrets: readonly string[], options: OpenLogsRepoOptions = {}): LogsRepo {
  checkRemote(logs.remote);
  const dir = options.dir ?? path.join(config.dataDir, 'logs-repo');
  const token = remoteWantsToken(logs.remote) ? config.github.token : undefined;
  const git = createGitRunner({
    dir,
    // The helper script lives beside the clone, not in it: nothing of it can be committed.
    env: { ...LOGS_IDENTITY, ...askpassEnv(path.join(config.dataDir, 'git'), token) },
    secrets,
    gitBinary: options.gitBinary,
  });
  return createLogsRepo({ dir, remote: logs.remote, branch: logs.branch, git });
}
