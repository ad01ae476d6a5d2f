// Which stored artifacts a worker may fetch (GET WORKER_ARTIFACTS_PATH/:id): only those a step's
// `download` of a build running on it names, that is, file artifacts of a successful build of the
// `from` builder on the same repository and commit, at a path its globs match (what
// resolve-download.ts sent in build.start). Worked out from the database and the config, not
// remembered from the dispatch, so a restarted master grants the same.
import picomatch from 'picomatch';
import type { Config } from '../../shared/config.js';
import { stepDownloads } from './step-downloads.js';
import type { BuildRow } from '../store/build-store.js';
import type { ArtifactStore } from '../store/artifact-store.js';

export type DownloadGrant = (running: BuildRow[], artifactId: number) => boolean;

export function createDownloadGrant(artifacts: ArtifactStore, config: Config): DownloadGrant {
  return (running, artifactId) => {
    const artifact = artifacts.fileWithBuild(artifactId);
    if (!artifact || artifact.result !== 'success' || artifact.sha === null) return false;
    return running.some((build) => {
      if (build.repo !== artifact.repo || build.sha !== artifact.sha) return false;
      const builder = config.builders.find((b) => b.name === build.builder);
      return stepDownloads(builder?.steps ?? []).some((d) => d.from === artifact.builder && picomatch(d.paths, { dot: true })(artifact.path));
    });
  };
}
