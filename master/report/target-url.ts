// The Details link of a commit status: the build's folder on the logs branch (GitHub renders its
// README at the tree URL), else the master's own UI when it has a public URL, else none.
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import { buildFolder } from './logs-folder.js';

/**
 * The web page of the logs repository: `logs.webUrl`, or derived from a GitHub remote
 * (https://github.com/o/r.git, git@github.com:o/r.git, ssh://git@github.com/o/r). A local path has none.
 */
export function logsWebUrl(logs: NonNullable<Config['logs']>): string | undefined {
  if (logs.webUrl) return logs.webUrl.replace(/\/+$/, '');
  const m = /^(?:https:\/\/|ssh:\/\/git@|git@)github\.com[:/]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(logs.remote);
  return m ? `https://github.com/${m[1]}/${m[2]}` : undefined;
}

export function buildFolderUrl(config: Config, build: Pick<BuildRow, 'builder' | 'pr' | 'sha' | 'number'>): string | undefined {
  if (!config.logs) return undefined;
  const web = logsWebUrl(config.logs);
  if (!web) return undefined;
  const branch = config.logs.branch.split('/').map(encodeURIComponent).join('/');
  return `${web}/tree/${branch}/${buildFolder(build)}`;
}

export function buildUiUrl(config: Config, buildId: number): string | undefined {
  return config.http.publicUrl ? `${config.http.publicUrl.replace(/\/+$/, '')}/#/builds/${buildId}` : undefined;
}

/**
 * The link for one status. A build that never started has no folder on the logs branch (only
 * builds that ran are published), so its statuses point at the UI; so do "queued" statuses, whose
 * folder does not exist yet, when the UI has a public URL.
 */
export function targetUrlFor(config: Config, build: BuildRow, ran: boolean): string | undefined {
  const ui = buildUiUrl(config, build.id);
  if (!ran) return ui;
  return buildFolderUrl(config, build) ?? ui;
}
