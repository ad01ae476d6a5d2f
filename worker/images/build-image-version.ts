// A new version of an image family: vm-image/build.sh (or the family's own `build.command`) into
// <imagesDir>/<family>/<family>-YYYYMMDD[.N]/, then recorded as a `candidate` in state.json. It is
// not used by builds until verify-image-version.ts has booted and checked it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addCandidate, nextVersionName } from './image-lifecycle.js';
import type { ImageFamilyConfig } from './image-source.js';
import { readFamilyState, updateFamilyState, versionDir } from './image-store.js';

export interface BuildVersionOptions {
  family: string;
  config: ImageFamilyConfig;
  imagesDir: string;
  now?: () => number;
  /** The builder's progress lines (default: dropped). */
  onOutput?: (text: string) => void;
  /** vm-image/build.sh (default: the one of this checkout). */
  buildScript?: string;
  /** Aborted when the worker stops: the builder's whole process group is terminated. */
  signal?: AbortSignal;
}

export interface BuiltVersion {
  version: string;
  dir: string;
  seconds: number;
}

/** vm-image/build.sh, found above this module (source tree or dist/). */
export function defaultBuildScript(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const script = path.join(dir, 'vm-image', 'build.sh');
    if (existsSync(script)) return script;
  }
  throw new Error('vm-image/build.sh not found above the gatehouse install');
}

/** The argv that builds this family into `out`. */
export function buildCommand(config: ImageFamilyConfig, out: string, script: string): string[] {
  const recipe = config.build;
  if (!recipe) throw new Error('this image has no build section');
  if (recipe.command) return [...recipe.command, '--out', out];
  return [
    script, '--distro', recipe.distro, '--arch', config.arch, '--out', out,
    ...(recipe.suite ? ['--suite', recipe.suite] : []),
    ...recipe.with.flatMap((extra) => ['--with', extra]),
    ...(recipe.packages.length ? ['--packages', recipe.packages.join(',')] : []),
    ...(recipe.seed ? ['--seed', recipe.seed] : []),
  ];
}

export async function buildImageVersion(options: BuildVersionOptions): Promise<BuiltVersion> {
  const now = options.now ?? Date.now;
  const { family, imagesDir } = options;
  const started = Date.now();
  const state = await readFamilyState(imagesDir, family);
  // Claim the version's directory first (mkdir fails when it exists): a scheduled build and
  // `gatehouse images build` on the same day must not pick one name and overwrite each other.
  const taken = [...state.versions.map((v) => v.name), ...(await readdir(path.join(imagesDir, family)).catch(() => []))];
  let version = nextVersionName(family, taken, now());
  let dir = versionDir(imagesDir, family, version);
  await mkdir(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      await mkdir(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      taken.push(version);
      version = nextVersionName(family, taken, now());
      dir = versionDir(imagesDir, family, version);
    }
  }
  const argv = buildCommand(options.config, dir, options.buildScript ?? defaultBuildScript());
  const [command, ...args] = argv as [string, ...string[]];
  const code = await new Promise<number | null>((resolve, reject) => {
    // Its own process group, so that a stop reaches debootstrap and qemu-img too.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stop = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    child.stdout.on('data', (d: Buffer) => options.onOutput?.(d.toString()));
    child.stderr.on('data', (d: Buffer) => options.onOutput?.(d.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      options.signal?.removeEventListener('abort', stop);
      resolve(exitCode);
    });
  });
  if (code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(options.signal?.aborted ? `image ${family}: the build was stopped` : `image ${family}: \`${argv.join(' ')}\` exited ${code}`);
  }
  for (const file of [options.config.disk ?? 'disk.qcow2', options.config.kernel ?? 'kernel', options.config.initrd ?? 'initrd.img']) {
    if (!existsSync(path.join(dir, file))) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`image ${family}: the build left no ${file} in ${dir}`);
    }
  }
  const manifest = await readFile(path.join(dir, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as { recipe?: string }, () => ({ recipe: undefined }));
  await updateFamilyState(imagesDir, family, (s) => addCandidate(s, version, now(), manifest.recipe));
  return { version, dir, seconds: (Date.now() - started) / 1000 };
}
