// Removes staged uploads that no artifact message can claim any more: those of builds that are
// not running. Run at start, hourly, and with retention; it needs no logs configuration.
import type { BuildStore } from '../store/build-store.js';
import { createUploadStaging, uploadStagingDir } from './upload-staging.js';

export function sweepUploads(builds: BuildStore, dataDir: string, now: number): number {
  const running = new Set(builds.runningIds());
  return createUploadStaging(uploadStagingDir(dataDir)).sweep((id) => running.has(id), now);
}
