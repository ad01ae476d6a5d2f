// Old versions go in two steps (image-lifecycle.ts planPrune): unused for keepDays → `obsolete`,
// obsolete for keepDays more → its directory deleted. Never the current version, one the config
// pins (`version`), or one a running VM boots from: any overlay in the workers' VM directories
// whose backing file lies in a version's directory keeps it.
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { applyPrune, planPrune, type PrunePlan } from './image-lifecycle.js';
import { type ImageFamilyConfig, versionOfDisk } from './image-source.js';
import { updateFamilyState, versionDir } from './image-store.js';

function backingFile(overlay: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // -U: a running VM holds a write lock on its overlay.
    execFile('qemu-img', ['info', '-U', '--output=json', overlay], { timeout: 30_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const info = JSON.parse(stdout) as { 'full-backing-filename'?: string; 'backing-filename'?: string };
        resolve(info['full-backing-filename'] ?? info['backing-filename']);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** The backing files of the qcow2 overlays in these directories (missing directories are skipped). */
export async function disksInUse(vmDirs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dir of vmDirs) {
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.qcow2'))) {
      const backing = await backingFile(path.join(dir, file));
      if (backing) found.push(path.resolve(dir, backing));
    }
  }
  return found;
}

/** <dataDir>/worker/<name>/vm for every worker directory on this host. */
export async function workerVmDirs(dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'worker');
  const names = await readdir(root).catch(() => [] as string[]);
  return names.map((name) => path.join(root, name, 'vm'));
}

export interface PruneFamilyOptions {
  family: string;
  config: ImageFamilyConfig;
  imagesDir: string;
  /** Disks running VMs boot from (disksInUse). */
  disksInUse: readonly string[];
  now?: () => number;
}

export async function pruneImageVersions(options: PruneFamilyOptions): Promise<PrunePlan> {
  const now = (options.now ?? Date.now)();
  const inUse = new Set(options.disksInUse.map((disk) => versionOfDisk(options.imagesDir, options.family, disk)).filter((v): v is string => v !== undefined));
  const pinned = new Set(options.config.version ? [options.config.version] : []);
  let plan: PrunePlan = { markObsolete: [], remove: [], kept: [] };
  await updateFamilyState(options.imagesDir, options.family, async (state) => {
    plan = planPrune(state, { now, keepDays: options.config.keepDays, pinned, inUse });
    // Directories first: a crash in between leaves a state entry without files, which the next prune removes again.
    for (const version of plan.remove) await rm(versionDir(options.imagesDir, options.family, version), { recursive: true, force: true });
    return applyPrune(state, plan, now);
  });
  return plan;
}
