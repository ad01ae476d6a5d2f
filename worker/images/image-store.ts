// An image family on disk: <imagesDir>/<family>/<version>/ (disk.qcow2, kernel, initrd.img,
// manifest.json) per version, and <imagesDir>/<family>/state.json (see image-lifecycle.ts). The
// state file is replaced atomically (write a temporary file, rename), and read-modify-write goes
// through a lock file, because the worker (marking use, scheduled rebuilds) and `gatehouse images`
// may change it at the same time.
import { open, readFile, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { emptyState, type FamilyState } from './image-lifecycle.js';

export const STATE_FILE = 'state.json';
const LOCK_FILE = 'state.lock';
/** A lock older than this was left by a process that died. */
const STALE_LOCK_MS = 60_000;

export function familyDir(imagesDir: string, family: string): string {
  return path.join(imagesDir, family);
}

export function versionDir(imagesDir: string, family: string, version: string): string {
  return path.join(imagesDir, family, version);
}

export async function readFamilyState(imagesDir: string, family: string): Promise<FamilyState> {
  try {
    const state = JSON.parse(await readFile(path.join(familyDir(imagesDir, family), STATE_FILE), 'utf8')) as FamilyState;
    return { ...state, family };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(family);
    throw new Error(`image ${family}: cannot read ${STATE_FILE}: ${(error as Error).message}`);
  }
}

async function writeFamilyState(imagesDir: string, state: FamilyState): Promise<void> {
  const file = path.join(familyDir(imagesDir, state.family), STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}

async function lock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let waited = 0; ; waited += 50) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(file, { force: true });
      else if (waited > 2 * STALE_LOCK_MS) throw new Error(`${file} stays locked`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Read, change and write a family's state under its lock; returns the new state. */
export async function updateFamilyState(imagesDir: string, family: string, change: (state: FamilyState) => FamilyState | Promise<FamilyState>): Promise<FamilyState> {
  const dir = familyDir(imagesDir, family);
  await mkdir(dir, { recursive: true });
  const unlock = await lock(dir);
  try {
    const next = await change(await readFamilyState(imagesDir, family));
    await writeFamilyState(imagesDir, next);
    return next;
  } finally {
    await unlock();
  }
}
