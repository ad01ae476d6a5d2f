import type { ServedRepo } from '../../shared/config/schema.js';
import type { GitHubLookups } from './github-lookups.js';

type TrustConfig = ServedRepo['trusted'];

/** Is this user trusted to run code on our hardware (or to approve someone else's)? */
export async function isTrustedUser(login: string, association: string | null, trusted: TrustConfig, github: GitHubLookups | undefined): Promise<boolean> {
  if (association && trusted.associations.includes(association)) return true;
  if (trusted.users.some((u) => u.toLowerCase() === login.toLowerCase())) return true;
  for (const org of trusted.orgs) {
    if (github && (await github.isOrgMember(org, login).catch(() => false))) return true;
  }
  return false;
}

/** A PR needs approval when its repository's gate is on, it comes from a fork, and its author is not trusted. */
export async function needsApproval(
  pr: { repo: string; headRepo: string | null; author: string | null; authorAssociation: string | null },
  github: Pick<ServedRepo, 'trustGate' | 'trusted'>,
  lookups: GitHubLookups | undefined,
): Promise<boolean> {
  if (!github.trustGate) return false;
  // Only people with write access can push branches to the base repository itself.
  if (pr.headRepo !== null && pr.headRepo.toLowerCase() === pr.repo.toLowerCase()) return false;
  if (!pr.author) return true;
  return !(await isTrustedUser(pr.author, pr.authorAssociation, github.trusted, lookups));
}
