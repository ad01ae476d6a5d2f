// Retention on disk: the step logs (<dataDir>/logs/<buildId>/) and artifacts
// (<dataDir>/artifacts/<buildId>/) of builds the database no longer has. Going by "no such build"
// rather than by the ids just pruned also cleans up after an earlier prune that was interrupted.
// So do uploads that no artifact message can claim any more (shared with the hourly sweep).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BuildStore } from '../store/build-store.js';
import { sweepUploads } from '../artifacts/sweep-uploads.js';

export function pruneLocalFiles(builds: BuildStore, dataDir: string, now = Date.now()): { removed: number } {
  const known = new Set(builds.ids());
  // A build created after the snapshot has a higher id (the newest builds are never pruned, so ids
  // are not reused): its directory is left alone.
  const newest = Math.max(0, ...known);
  let removed = 0;
  for (const kind of ['logs', 'artifacts']) {
    const root = path.join(dataDir, kind);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root)) {
      if (!/^[0-9]+$/.test(name) || known.has(Number(name)) || Number(name) > newest) continue;
      rmSync(path.join(root, name), { recursive: true, force: true });
      removed += 1;
    }
  }
  removed += sweepUploads(builds, dataDir, now);
  return { removed };
}
