// A step's `download` (another builder's artifacts) resolved when its build is dispatched: the newest
// successful build of that builder on the same repository and commit, and its file artifacts whose
// paths match. The worker then fetches each one from the master (see worker-hub's artifact route).
import picomatch from 'picomatch';
import type { ArtifactDownload } from '../../shared/protocol.js';
import type { BuildRow } from '../store/build-store.js';
import type { Stores } from '../store/stores.js';

export type DownloadResolver = (build: BuildRow, from: string, paths: string[]) => ArtifactDownload;

export function createDownloadResolver({ builds, artifacts }: Pick<Stores, 'builds' | 'artifacts'>): DownloadResolver {
  return (build, from, paths) => {
    const upstream = build.sha ? builds.newestSuccess(build.repo, build.sha, from) : undefined;
    if (upstream === undefined) return { from, buildId: null, files: [] };
    const isMatch = picomatch(paths, { dot: true });
    // A path collected twice (two steps) is the later file.
    const byPath = new Map(
      artifacts.filesOf(upstream).filter((f) => isMatch(f.path)).map(({ mode, ...f }) => [f.path, mode === null ? f : { ...f, mode }]),
    );
    return { from, buildId: upstream, files: [...byPath.values()] };
  };
}
