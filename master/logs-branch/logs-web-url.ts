// The web addresses of a logs location, in one place: its repository's page, the branch's tree, and
// one build's folder (GitHub renders the folder's README there). Status links, the UI, the start
// summary and `doctor` all ask here.
import type { LogsLocationConfig } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import { buildFolder } from './logs-folder.js';
import type { LogsLocation } from './logs-locations.js';

/**
 * The web page of the logs repository: `webUrl`, or derived from a GitHub remote
 * (https://github.com/o/r.git, git@github.com:o/r.git, ssh://git@github.com/o/r). A local path has none.
 */
export function logsWebUrl(logs: LogsLocationConfig): string | undefined {
  if (logs.webUrl) return logs.webUrl.replace(/\/+$/, '');
  const m = /^(?:https:\/\/|ssh:\/\/git@|git@)github\.com[:/]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(logs.remote);
  return m ? `https://github.com/${m[1]}/${m[2]}` : undefined;
}

/** The branch's tree page, a branch name with slashes kept as path segments. */
export function logsBranchUrl(logs: LogsLocationConfig): string | undefined {
  const web = logsWebUrl(logs);
  return web ? `${web}/tree/${logs.branch.split('/').map(encodeURIComponent).join('/')}` : undefined;
}

/** One build's folder on the branch of its location. */
export function buildFolderUrl(location: LogsLocation, build: Pick<BuildRow, 'builder' | 'repo' | 'pr' | 'sha' | 'number'>): string | undefined {
  const branch = logsBranchUrl(location);
  return branch ? `${branch}/${buildFolder(build, location)}` : undefined;
}
