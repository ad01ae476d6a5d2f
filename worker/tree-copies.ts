// The files of the last few trees a mirror wrote out more than once, kept beside it: another build
// of such a tree (a rebuild, several builders on one head, a new commit with an unchanged tree) gets
// a copy made by this process instead of git processes reading the tree out of the mirror again
// (they cost more CPU than a whole `true` build). A tree's first build writes straight into its
// directory and keeps nothing: most trees are built once, and a kept copy costs a checkout's disk.
// Each build gets a copy, never a link, so it can neither see nor change another build's files.
// Symlinks are copied as they are (a relative one must not become a path into the kept tree), file
// modes with the files. Calls for one mirror come one at a time (source-cache.ts), so a kept tree is
// never evicted while it is being copied. The copy is a plain walk, not fs.cp: a tree git wrote
// holds only directories, files and symlinks, and fs.cp's checks (several stats per entry) cost a
// `true` build ~1.6 ms of CPU for a one-file tree, more than the copy itself.
import type { Dirent } from 'node:fs';
import { copyFile, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

export interface TreeCopies {
  /** Whether `tree` is kept: writeTo will not call `write`. */
  has(tree: string): boolean;
  /** Put `tree`'s files into the directory `dir`: copied from the kept tree, or written by `write` (into an empty directory). */
  writeTo(tree: string, dir: string, write: (into: string) => Promise<void>): Promise<void>;
}

/** Trees kept per mirror: each may be as large as a checkout. */
const KEPT_TREES = 2;
/** Trees remembered as written once (40 characters each). */
const SEEN_TREES = 100;

export function createTreeCopies(root: string, keep = KEPT_TREES): TreeCopies {
  const kept: string[] = []; // least recently used first
  const seen = new Set<string>(); // oldest first
  // Whatever an earlier run of the worker left there is not known to be whole: start empty.
  let cleared: Promise<void> | undefined;

  async function keepNew(tree: string, write: (into: string) => Promise<void>): Promise<void> {
    cleared ??= rm(root, { recursive: true, force: true });
    await cleared;
    const partial = path.join(root, `${tree}.partial`);
    try {
      await mkdir(partial, { recursive: true });
      await write(partial);
      await rename(partial, path.join(root, tree));
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
    kept.push(tree);
    while (kept.length > keep) await rm(path.join(root, kept.shift() as string), { recursive: true, force: true });
  }

  return {
    has: (tree) => kept.includes(tree),
    async writeTo(tree, dir, write) {
      const index = kept.indexOf(tree);
      if (index >= 0) kept.push(...kept.splice(index, 1));
      else if (seen.delete(tree)) await keepNew(tree, write);
      else {
        seen.add(tree);
        if (seen.size > SEEN_TREES) seen.delete(seen.values().next().value as string);
        await mkdir(dir, { recursive: true });
        return write(dir);
      }
      await mkdir(dir, { recursive: true });
      await copyTree(path.join(root, tree), dir);
    },
  };
}

/** Copy the directories, files (with their modes: copyFile keeps them) and symlinks (as they are) under `from` into the existing directory `to`. */
async function copyTree(from: string, to: string): Promise<void> {
  const entries: Dirent[] = await readdir(from, { withFileTypes: true });
  for (const entry of entries) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(target);
      await copyTree(source, target);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else {
      await copyFile(source, target);
    }
  }
}
