// The base branch a pull request's build merges into (a builder with `mergeBase: true`): the one
// the PR's newest change named. Rebuilds and chained builds carry none of their own, so the PR's
// changes are asked, not the build's.
import type { BuildRow } from '../queue/build-store.js';
import type { Db } from '../queue/open-database.js';

export type MergeBaseResolver = (build: BuildRow) => string | undefined;

export function createMergeBaseResolver(db: Db): MergeBaseResolver {
  const newest = db.prepare<[string, number], { base: string }>(
    `SELECT json_extract(data, '$.baseRef') AS base FROM changes
     WHERE repo = ? AND pr = ? AND json_extract(data, '$.baseRef') IS NOT NULL ORDER BY id DESC LIMIT 1`,
  );
  return (build) => (build.pr === null ? undefined : newest.get(build.repo, build.pr)?.base);
}
