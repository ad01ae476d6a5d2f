// A small filesystem a fault test can fill: a tmpfs of a given size mounted on a directory (root
// only; a missing permission skips the test outside CI and fails it in CI), and a filler that
// writes until the filesystem refuses.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { requirePrerequisite } from './require-prerequisite.js';

export interface SmallDisk {
  /** Unmount (lazily when something still holds it). */
  unmount(): void;
}

/** Mount a `size` tmpfs on `dir` (created); undefined when the test must skip. */
export function mountSmallDisk(tests: string, dir: string, size: string): SmallDisk | undefined {
  mkdirSync(dir, { recursive: true });
  let missing: string | undefined;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    missing = `cannot mount a ${size} tmpfs (${((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim()}); needs root`;
  }
  if (!requirePrerequisite(tests, missing)) return undefined;
  return {
    unmount() {
      try {
        execFileSync('umount', [dir]);
      } catch {
        execFileSync('umount', ['-l', dir]); // something still holds it: detach it anyway
      }
    },
  };
}

/** Write zeros until the filesystem refuses (ENOSPC), big chunks first, then small ones. */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 4096]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as { code?: string }).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}
