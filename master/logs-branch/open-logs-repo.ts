// The logs clone for a location: where it lives, the remote, and how git authenticates (the token
// through askpass, for http(s) remotes only). Shared by the master and `gatehouse prune`.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Config, LogsLocationConfig } from '../../shared/config.js';
import { createGitRunner } from '../../shared/run-git.js';
import { askpassEnv, checkRemote, remoteWantsToken } from './git-askpass.js';
import { createLogsRepo, LOGS_IDENTITY, type LogsRepo } from './logs-repo.js';
import { sameLocation } from './logs-locations.js';

export interface OpenLogsRepoOptions {
  /** The top-level location's clone directory (default <dataDir>/logs-repo); another location's is this plus "-" and a hash of its remote and branch. */
  dir?: string;
  gitBinary?: string;
}

/** Throws when the remote is unusable (a password in its URL). */
export function openLogsRepo(config: Config, location: LogsLocationConfig, secrets: readonly string[], options: OpenLogsRepoOptions = {}): LogsRepo {
  checkRemote(location.remote);
  const base = options.dir ?? path.join(config.dataDir, 'logs-repo');
  // The top-level location keeps the directory it always had; the clone is a cache either way.
  const own = config.logs && sameLocation(config.logs, location) ? '' : `-${createHash('sha256').update(`${location.remote}\n${location.branch}`).digest('hex').slice(0, 12)}`;
  const dir = `${base}${own}`;
  const token = remoteWantsToken(location.remote) ? config.github.token : undefined;
  const git = createGitRunner({
    dir,
    // The helper script lives beside the clone, not in it: nothing of it can be committed.
    env: { ...LOGS_IDENTITY, ...askpassEnv(path.join(config.dataDir, 'git'), token) },
    secrets,
    gitBinary: options.gitBinary,
  });
  return createLogsRepo({ dir, remote: location.remote, branch: location.branch, git });
}
