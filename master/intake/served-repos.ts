// Which repositories this CI acts for. A valid signature alone does not make a delivery ours: an
// organization's webhook, or a smee channel shared between repositories, signs every repository's
// events with the same secret. GitHub's names are case-insensitive. The set is built once, so the
// intake's accept path asks no database.
import type { Config } from '../../shared/config.js';

export type IsServed = (repo: string) => boolean;

export function servedRepos(config: Pick<Config, 'github'>): IsServed {
  const served = new Set(config.github.repos.map((r) => r.repo.toLowerCase()));
  return (repo) => served.has(repo.toLowerCase());
}

export const notServedReason = (repo: string) => `repository ${repo} is not served here`;
