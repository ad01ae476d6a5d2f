// Where build folders go: the top-level `logs` section's remote and branch, and each other one a
// served repository names in its `logs` override (github.repos[].logs). Each distinct location has
// a clone of its own and is published to, pruned and checked by `doctor` on its own; repositories
// that share one share its clone, and there (more than one) the folder names carry the repository.
import type { Config, LogsLocationConfig } from '../../shared/config.js';
import { repositoryOf } from '../repos/repository-of.js';

export interface LogsLocation extends LogsLocationConfig {
  /** The served repositories whose builds go here (none for a top-level location every repository overrides). */
  repos: string[];
}

export const sameLocation = (a: LogsLocationConfig, b: LogsLocationConfig): boolean => a.remote === b.remote && a.branch === b.branch;

/** Every distinct location, the top-level one first; none without a `logs` section. */
export function logsLocations(config: Pick<Config, 'logs' | 'github'>): LogsLocation[] {
  const logs = config.logs;
  if (!logs) return [];
  const top: LogsLocation = { remote: logs.remote, branch: logs.branch, ...(logs.webUrl ? { webUrl: logs.webUrl } : {}), repos: [] };
  const locations = [top];
  for (const served of config.github.repos) {
    const own = served.logs ?? top;
    let location = locations.find((l) => sameLocation(l, own));
    if (!location) {
      location = { remote: own.remote, branch: own.branch, ...(own.webUrl ? { webUrl: own.webUrl } : {}), repos: [] };
      locations.push(location);
    }
    location.repos.push(served.repo);
  }
  return locations;
}

/** The location of a repository's builds; one the config no longer serves publishes to the top-level one. */
export function logsLocationOf(config: Pick<Config, 'logs' | 'github'>, repo: string | null | undefined): LogsLocation | undefined {
  const locations = logsLocations(config);
  const own = repositoryOf(config, { repo }).logs;
  return (own && locations.find((l) => sameLocation(l, own))) ?? locations[0];
}

/** "branch on remote", for log lines and messages. */
export const describeLocation = (location: LogsLocationConfig): string => `${location.branch} on ${location.remote}`;
