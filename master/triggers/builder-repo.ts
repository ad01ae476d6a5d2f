// The repository a forced or scheduled build of a builder is of, and where workers clone it from.
// A forced build may name one; otherwise it is the builder's first repository (`repos`), else the
// first served one: with a single-repository config, that repository.
import type { BuilderConfig, Config } from '../../shared/config.js';
import { builderServes, repositoryOf } from '../repos/repository-of.js';

/** The builder's own repository: its first `repos` entry, else the first served one. */
export function builderRepo(config: Pick<Config, 'github'>, builder: Pick<BuilderConfig, 'repos'>): string {
  return builder.repos?.[0] ?? repositoryOf(config).repo;
}

/** The served repository `asked` names (as configured), or undefined when this builder does not run for it. */
export function askedRepo(config: Pick<Config, 'github'>, builder: Pick<BuilderConfig, 'repos'>, asked: string): string | undefined {
  const served = config.github.repos.find((r) => r.repo.toLowerCase() === asked.toLowerCase());
  return served && builderServes(builder, served.repo) ? served.repo : undefined;
}

/** No webhook names a clone URL for these builds: the repository's configured one, else GitHub's. */
export function repoCloneUrl(config: Pick<Config, 'github'>, repo: string): string {
  return repositoryOf(config, { repo }).cloneUrl ?? `${config.github.webUrl.replace(/\/$/, '')}/${repo}.git`;
}
