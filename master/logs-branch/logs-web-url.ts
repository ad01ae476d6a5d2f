// The web addresses of the logs repository, in one place: its page, the branch's tree, and one
// build's folder (GitHub renders the folder's README there). Status links, the UI, the start
// summary and `doctor` all ask here.
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import { buildFolder } from './logs-folder.js';

type Logs = NonNullable<Config['logs']>;

/**
 * The web page of the logs repository: `logs.webUrl`, or derived from a GitHub remote
 * (https://github.com/o/r.git, git@github.com:o/r.git, ssh://git@github.com/o/r). A local path has none.
 */
export function logsWebUrl(logs: Logs): string | undefined {
  if (logs.webUrl) return logs.webUrl.replace(/\/+$/, '');
  const m = /^(?:https:\/\/|ssh:\/\/git@|git@)github\.com[:/]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(logs.remote);
  return m ? `https://github.com/${m[1]}/${m[2]}` : undefined;
}

/** The branch's tree page, a branch name with slashes kept as path segments. */
export function logsBranchUrl(logs: Logs): string | undefined {
  const web = logsWebUrl(logs);
  return web ? `${web}/tree/${logs.branch.split('/').map(encodeURIComponent).join('/')}` : undefined;
}

/** One build's folder on the branch. */
export function buildFolderUrl(logs: Logs, build: Pick<BuildRow, 'builder' | 'pr' | 'sha' | 'number'>): string | undefined {
  const branch = logsBranchUrl(logs);
  return branch ? `${branch}/${buildFolder(build)}` : undefined;
}
