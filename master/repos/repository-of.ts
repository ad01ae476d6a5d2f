// Which repository a build or change belongs to, with that repository's settings. Rows carry
// their repository ("owner/name"); a row without one (or code that has no row) means the first
// served repository, which is the only one of a single-repository config.
import type { BuilderConfig, Config, ServedRepo } from '../../shared/config.js';

export type { ServedRepo } from '../../shared/config.js';

const sameRepo = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The served repository of `row` (GitHub's names are case-insensitive). A repository the config no
 * longer serves (an old build) gets the `github` section's settings under its own name.
 */
export function repositoryOf(config: Pick<Config, 'github'>, row?: { repo?: string | null } | null): ServedRepo {
  const { github } = config;
  const name = row?.repo;
  if (!name) return github.repos[0] as ServedRepo;
  return github.repos.find((r) => sameRepo(r.repo, name))
    ?? { repo: name, cloneUrl: github.cloneUrl, trustGate: github.trustGate, trusted: github.trusted, skip: [] };
}

/** Whether a builder runs for this repository (`repos` unset: for all of them). */
export function builderServes(builder: Pick<BuilderConfig, 'repos'>, repo: string): boolean {
  return builder.repos === undefined || builder.repos.some((r) => sameRepo(r, repo));
}
