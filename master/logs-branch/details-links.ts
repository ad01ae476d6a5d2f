// Where statuses' Details links will point, in words, one line per logs location (as target-url.ts
// decides: a location's logs branch when it has a web page, else this UI when http.publicUrl is set,
// else nothing). The start summary and `gatehouse doctor` say it the same way.
import type { Config } from '../../shared/config.js';
import { logsLocations } from './logs-locations.js';
import { logsWebUrl } from './logs-web-url.js';

const NONE = 'none: statuses will have no Details link (set http.publicUrl, or logs with a GitHub remote or logs.webUrl)';

export function detailsLinks(config: Pick<Config, 'logs' | 'github' | 'http'>): string[] {
  const fallback = config.http.publicUrl ? `this UI (${config.http.publicUrl})` : NONE;
  // A top-level location every repository overrides takes no builds, so it gets no line.
  const locations = logsLocations(config).filter((l) => l.repos.length > 0);
  if (locations.length === 0) return [fallback];
  const several = locations.length > 1;
  return locations.map((l) => {
    const web = logsWebUrl(l);
    const where = web ? `the logs branch ${l.branch} on ${web}` : fallback;
    return several && l.repos.length > 0 ? `${l.repos.join(', ')}: ${where}` : where;
  });
}
