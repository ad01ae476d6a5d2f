// Where a build lives on the logs branch: `<builder>/<pr>-<sha7>-<number>`, so a PR's builds sort
// together under their builder and the folder name alone says what was tested. Where several
// repositories share a logs location it is `<builder>/<owner>.<name>-<pr>-<sha7>-<number>`: still
// two levels deep (retention reads folders there), and the name says which repository.
import type { BuildRow } from '../store/build-store.js';

type FolderBuild = Pick<BuildRow, 'builder' | 'repo' | 'pr' | 'sha' | 'number'>;

/** A push (no PR) gets "push" where the PR number would be. Builder names are validated path-safe. */
export function buildFolder(build: FolderBuild, location: { repos: readonly string[] }): string {
  const repo = location.repos.length > 1 ? `${build.repo.replace(/[^A-Za-z0-9_.-]/g, '.')}-` : '';
  return `${build.builder}/${repo}${build.pr ?? 'push'}-${(build.sha ?? 'nosha').slice(0, 7)}-${build.number}`;
}

/** `NN-<step-name>.log`, NN counting from 01 in step order; odd characters in the name become "_". */
export function stepLogName(index: number, stepName: string): string {
  return `${String(index + 1).padStart(2, '0')}-${stepName.replace(/[^A-Za-z0-9._-]/g, '_')}.log`;
}
