// What each build's files take in the data directory: its step logs (<dataDir>/logs/<id>/) and its
// artifacts (<dataDir>/artifacts/<id>/) together, measured on disk rather than taken from the
// artifacts rows, since logs have no rows and a crashed upload may have left files no row names.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Bytes of a file, or of everything under a directory. */
export function bytesUnder(entry: string): number {
  const stat = lstatSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0; // removed while we looked
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(entry).reduce((sum, name) => sum + bytesUnder(path.join(entry, name)), 0);
}

/** Bytes per build id, for every build with a log or artifact directory. */
export function diskUsageByBuild(dataDir: string): Map<number, number> {
  const usage = new Map<number, number>();
  for (const kind of ['logs', 'artifacts']) {
    const root = path.join(dataDir, kind);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root)) {
      if (!/^[0-9]+$/.test(name)) continue;
      const id = Number(name);
      usage.set(id, (usage.get(id) ?? 0) + bytesUnder(path.join(root, name)));
    }
  }
  return usage;
}
