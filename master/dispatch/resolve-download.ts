// A step's `download` (another builder's artifacts) resolved when its build is dispatched: the newest
// successful build of that builder on the same repository and commit, and its file artifacts whose
// paths match. The worker then fetches each one from the master (see worker-hub's artifact route).
import picomatch from 'picomatch';
import type { ArtifactDownload } from '../../shared/protocol.js';
import type { BuildRow } from '../queue/build-store.js';
import type { Db } from '../queue/open-database.js';

export type DownloadResolver = (build: BuildRow, from: string, paths: string[]) => ArtifactDownload;

export function createDownloadResolver(db: Db): DownloadResolver {
  const newestSuccess = db.prepare<[string, string, string], { id: number }>(
    `SELECT id FROM builds WHERE repo = ? AND sha = ? AND builder = ? AND result = 'success' ORDER BY id DESC LIMIT 1`,
  );
  const filesOf = db.prepare<[number], { id: number; path: string; size: number; mode: number | null }>(
    `SELECT id, path, size, mode FROM artifacts WHERE build_id = ? AND kind = 'file' ORDER BY id`,
  );
  return (build, from, paths) => {
    const upstream = build.sha ? newestSuccess.get(build.repo, build.sha, from) : undefined;
    if (!upstream) return { from, buildId: null, files: [] };
    const isMatch = picomatch(paths, { dot: true });
    // A path collected twice (two steps) is the later file.
    const byPath = new Map(
      filesOf.all(upstream.id).filter((f) => isMatch(f.path)).map(({ mode, ...f }) => [f.path, mode === null ? f : { ...f, mode }]),
    );
    return { from, buildId: upstream.id, files: [...byPath.values()] };
  };
}
