// The `host` executor: each build in a fresh directory on the worker host, each step a
// `bash -eo pipefail -c` in a PID namespace of its own (step-isolation.ts), so that nothing it starts
// outlives it. No other isolation: a step can read whatever the worker's user can. For development
// and demos; every step's log says so.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { glob } from 'tinyglobby';
import type { BuildSpec, StepSpec, UploadFile } from '../../shared/protocol.js';
import type { SourceCache } from '../source-cache.js';
import type { CollectedFile, Executor, RunStepOptions, StepFile, StepOutcome, Workspace } from './executor.js';
import type { Logger } from '../../shared/logger.js';
import { runProcessGroup } from './run-process-group.js';
import { isolatedCommand, type StepIsolation, stepIsolation } from './step-isolation.js';

export interface HostExecutorOptions {
  /** Parent of the per-build directories (created if missing). */
  workRoot: string;
  /** Where sources come from; a build with `source` fails to prepare without one. */
  sourceCache?: SourceCache;
  /** Between SIGTERM and SIGKILL when a step is stopped (default 5 s). */
  killGraceMs?: number;
  /** The environment every step starts from (default: PATH, HOME, USER, LANG, TZ, TMPDIR of the worker). */
  baseEnv?: Record<string, string>;
  /** How steps are fenced in (default: the strongest this process may use, found by trying). */
  isolation?: StepIsolation;
  /** Told once which isolation steps get, and warned when it is none. */
  logger?: Logger;
}

/** Only these reach a step from the worker's own environment: its secret must not. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL'];

export const HOST_HEADER = 'gatehouse: host executor: this step runs directly on the worker host, without isolation (for development and demos only)\n';

export function createHostExecutor(options: HostExecutorOptions): Executor {
  const baseEnv = options.baseEnv ?? pickEnv(process.env, INHERITED);
  const isolation = options.isolation ? Promise.resolve(options.isolation) : stepIsolation();
  const { logger } = options;
  if (logger) void isolation.then((found) => logIsolation(found, logger));

  return {
    kind: 'host',

    async prepare(build: BuildSpec, signal: AbortSignal): Promise<Workspace> {
      const dir = await makeWorkDir(options.workRoot, build.buildId);
      const workspace = { buildId: build.buildId, dir };
      try {
        if (build.source) {
          if (!options.sourceCache) throw new Error('this worker has no source cache configured, and the build needs a checkout');
          await options.sourceCache.checkout(build.source, dir, signal);
        }
      } catch (error) {
        await removeTree(dir);
        throw error;
      }
      return workspace;
    },

    async runStep(workspace: Workspace, step: StepSpec, run: RunStepOptions): Promise<StepOutcome> {
      await run.onOutput('header', HOST_HEADER);
      if (step.upload?.length) await writeUploads(workspace.dir, step.upload);
      if (run.files?.length) await writeFiles(workspace.dir, run.files);
      if (step.run === undefined) return { exitCode: 0, timedOut: false, cancelled: false };
      return runProcessGroup({
        ...isolatedCommand(await isolation, 'bash', ['-eo', 'pipefail', '-c', step.run]),
        cwd: workspace.dir,
        env: { ...baseEnv, ...run.env },
        onOutput: run.onOutput,
        signal: run.signal,
        ...(run.timeoutMs !== undefined ? { timeoutMs: run.timeoutMs } : {}),
        ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
      });
    },

    async collect(workspace: Workspace, globs: string[], maxBytes: number): Promise<CollectedFile[]> {
      if (globs.length === 0) return [];
      const root = await realpath(workspace.dir);
      const found = await glob(globs, { cwd: root, onlyFiles: true, dot: true, expandDirectories: false });
      const files: CollectedFile[] = [];
      for (const rel of found.sort()) {
        const file = path.resolve(root, rel);
        // A glob with "..", or a symlink a step planted, must not carry a host file out as an artifact.
        const real = await realpath(file).catch(() => undefined);
        if (!real || !isInside(root, real)) continue;
        const { size, mode: bits } = await lstat(real);
        const relative = path.relative(root, file).split(path.sep).join('/');
        const mode = bits & 0o777;
        files.push(size > maxBytes ? { path: relative, size, mode, open: async () => createReadStream(real), localPath: real } : { path: relative, size, mode, content: await readFile(real) });
      }
      return files;
    },

    async cleanup(workspace: Workspace): Promise<void> {
      await removeTree(workspace.dir);
    },
  };
}

function logIsolation(isolation: StepIsolation, logger: Logger): void {
  if (isolation.kind === 'pid-namespace') return logger.info(`host executor: each step runs in ${isolation.description}; its processes end with it`);
  logger.warn(
    `host executor: no PID namespace for steps here (${isolation.reason}); a step's processes that leave its process group (setsid, daemons) can outlive it and this worker`,
  );
}

async function writeUploads(dir: string, uploads: UploadFile[]): Promise<void> {
  for (const upload of uploads) {
    const target = path.resolve(dir, upload.path);
    if (path.isAbsolute(upload.path) || !isInside(dir, target)) throw new Error(`upload path "${upload.path}" is not inside the work directory`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(upload.content, 'base64'), { mode: upload.mode });
    await chmod(target, upload.mode); // writeFile's mode is ignored for a file that already exists
  }
}

async function writeFiles(dir: string, files: StepFile[]): Promise<void> {
  for (const file of files) {
    const target = path.resolve(dir, file.path);
    if (path.isAbsolute(file.path) || !isInside(dir, target)) throw new Error(`file path "${file.path}" is not inside the work directory`);
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { force: true });
    await pipeline(await file.open(), createWriteStream(target, { mode: file.mode }));
    await chmod(target, file.mode); // the umask trimmed the mode it was created with
  }
}

/** A fresh directory under `workRoot`, which is made only when missing (not stat'ed again for every build). */
async function makeWorkDir(workRoot: string, buildId: number): Promise<string> {
  const prefix = path.join(workRoot, `build-${buildId}-`);
  try {
    return await mkdtemp(prefix);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(workRoot, { recursive: true });
    return mkdtemp(prefix);
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** rm -rf, also when a step left read-only directories behind (Go's module cache does). */
async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  const entries = await glob(['**'], { cwd: dir, onlyDirectories: true, dot: true, absolute: true, followSymbolicLinks: false });
  for (const entry of [dir, ...entries]) await chmod(entry, 0o755).catch(() => {});
}

function pickEnv(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
