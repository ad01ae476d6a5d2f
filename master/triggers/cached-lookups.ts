// The trigger rules' GitHub lookups, remembered for a short while: a burst of webhooks (or a
// reconcile pass) asks the same questions again and again. Only answers fixed by what they are
// keyed on are kept: a commit's message by sha, a pull request's files by its head sha, and org
// membership by (org, user) for the TTL. The pull request itself (its labels, title, head) and a
// user's permission on a repository are asked each time, as they decide what runs now.
// A pending answer is shared; a failed one is forgotten, so the next change asks again.
import { ExpiringLru } from '../expiring-lru.js';
import type { GitHubLookups } from './github-lookups.js';

export interface LookupCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

export function cachedLookups(github: GitHubLookups, options: LookupCacheOptions = {}): GitHubLookups {
  const cache = new ExpiringLru<Promise<unknown>>({ maxEntries: options.maxEntries ?? 1000, ttlMs: options.ttlMs ?? 60_000, now: options.now });

  function remembered<V>(key: string, ask: () => Promise<V>): Promise<V> {
    const known = cache.get(key) as Promise<V> | undefined;
    if (known) return known;
    const answer = ask();
    cache.set(key, answer);
    answer.catch(() => {
      if (cache.get(key) === answer) cache.delete(key);
    });
    return answer;
  }

  return {
    getPull: (repo, number) => github.getPull(repo, number),
    listPullFiles: (repo, number, headSha) =>
      headSha ? remembered(`files ${repo.toLowerCase()}#${number}@${headSha}`, () => github.listPullFiles(repo, number, headSha)) : github.listPullFiles(repo, number),
    isOrgMember: (org, user) => remembered(`member ${org.toLowerCase()} ${user.toLowerCase()}`, () => github.isOrgMember(org, user)),
    getHeadCommitMessage: (repo, sha) => remembered(`message ${repo.toLowerCase()}@${sha}`, () => github.getHeadCommitMessage(repo, sha)),
    getCollaboratorPermission: (repo, user) => github.getCollaboratorPermission(repo, user),
  };
}
