// The repository forced and scheduled builds of a builder are of, and where workers clone it from.
// One master serves one repository today (config.github.repo); with several, only this changes.
import type { Config } from '../../shared/config.js';

export function builderRepo(config: Pick<Config, 'github'>): string {
  return config.github.repo;
}

/** No webhook names a clone URL for these builds: the configured one, else GitHub's. */
export function repoCloneUrl(config: Pick<Config, 'github'>, repo: string): string {
  return config.github.cloneUrl ?? `${config.github.webUrl.replace(/\/$/, '')}/${repo}.git`;
}
