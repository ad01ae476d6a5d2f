// The Details link of a commit status: the build's folder on the logs branch (GitHub renders its
// README at the tree URL; its repository's logs location), else the master's own UI when it has a
// public URL, else none.
import type { Config } from '../../shared/config.js';
import type { BuildRow } from '../store/build-store.js';
import { buildFolderUrl } from '../logs-branch/logs-web-url.js';
import { logsLocationOf } from '../logs-branch/logs-locations.js';

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
  const location = logsLocationOf(config, build.repo);
  return (location ? buildFolderUrl(location, build) : undefined) ?? ui;
}
