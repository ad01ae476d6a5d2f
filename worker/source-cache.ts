// Sources come from a bare git mirror per clone URL, kept between builds, so a build fetches only
// what is new. A checkout fetches the build's ref into the mirror, checks it is the commit the
// master asked for, and writes that tree (or its merge into the base branch) into the work
// directory, without a .git: the steps get files, the mirror stays the only repository.
// Calls for the same mirror run one at a time: two git fetches into one repository race on its refs.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SourceSpec } from '../shared/protocol.js';
import { runGit } from '../shared/run-git.js';

export interface SourceCache {
  /** Fetch `source.ref`, check it is `source.sha`, and write its tree (merged into `mergeBase` if set) into `dir`. */
  checkout(source: SourceSpec, dir: string, signal?: AbortSignal): Promise<{ tree: string }>;
}

export interface SourceCacheOptions {
  /** Where the mirrors live: `<dataDir>/worker/<name>/git`. */
  dir: string;
}

const REF = /^refs\/[A-Za-z0-9._/-]+$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export function createSourceCache(options: SourceCacheOptions): SourceCache {
  const queues = new Map<string, Promise<unknown>>();

  /** Run `task` after every earlier task for the same mirror has settled. */
  function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => {});
    queues.set(key, tail);
    void tail.then(() => queues.get(key) === tail && queues.delete(key));
    return next;
  }

  return {
    async checkout(source, dir, signal) {
      validate(source);
      const mirror = mirrorPath(options.dir, source.cloneUrl);
      return serialized(mirror, () => checkoutFrom(mirror, source, dir, signal));
    },
  };
}

/** `<hash>.git`: the URL itself may hold characters a file name cannot. */
export function mirrorPath(root: string, cloneUrl: string): string {
  return path.join(root, `${createHash('sha256').update(cloneUrl).digest('hex').slice(0, 20)}.git`);
}

/** A first fetch of a large repository takes a while; the build's timeout and a cancel stop it sooner (signal). */
const GIT_CALL_TIMEOUT_MS = 30 * 60_000;

async function checkoutFrom(mirror: string, source: SourceSpec, dir: string, signal?: AbortSignal): Promise<{ tree: string }> {
  const git = (args: string[], okCodes?: number[]) => runGit([`--git-dir=${mirror}`, ...args], { timeoutMs: GIT_CALL_TIMEOUT_MS, ...(signal ? { signal } : {}), ...(okCodes ? { okCodes } : {}) });
  await mkdir(path.dirname(mirror), { recursive: true });
  if (!existsSync(path.join(mirror, 'HEAD'))) await runGit(['init', '--bare', '--quiet', mirror]);

  // Keep fetched refs under our own namespace: they keep their objects from being pruned between builds.
  const head = localRef(source.ref);
  const refspecs = [`+${source.ref}:${head}`];
  const base = source.mergeBase ? localRef(source.mergeBase) : undefined;
  if (source.mergeBase && base) refspecs.push(`+${source.mergeBase}:${base}`);
  // A commit already in the mirror is the commit asked for: building it needs no fetch (a rebuild,
  // or many builders on one head). A merge build always fetches, as the base may have moved.
  const present = !base && (await git(['cat-file', '-e', `${source.sha}^{commit}`], [1, 128])).code === 0;
  let tree: string;
  if (present) {
    tree = (await git(['rev-parse', '--verify', `${source.sha}^{tree}`])).stdout.trim();
  } else {
    try {
      await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', source.cloneUrl, ...refspecs]);
    } catch (error) {
      throw new Error(`cannot fetch ${source.ref} from ${source.cloneUrl}: ${(error as Error).message}`);
    }
    // The fetched tip and the asked commit's tree in one call (a git process costs more than it does).
    const resolved = await git(['rev-parse', `${head}^{commit}`, `${source.sha}^{tree}`], [128]);
    const [tip = '', treeOfSha = ''] = resolved.stdout.trim().split('\n');
    if (resolved.code !== 0 || tip !== source.sha) {
      throw new Error(`${source.ref} of ${source.cloneUrl} is at ${SHA.test(tip) ? tip : 'no commit'}, not at the expected ${source.sha} (pushed again since the build was queued?)`);
    }
    tree = treeOfSha;
  }
  if (base) {
    const merged = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', base, source.sha], [1]);
    const [mergedTree, ...conflicts] = merged.stdout.split('\n');
    if (merged.code === 1) {
      const files = [...new Set(conflicts.filter((line) => line !== ''))].slice(0, 10);
      throw new Error(`${source.sha} does not merge cleanly into ${source.mergeBase}${files.length ? ` (conflicts in ${files.join(', ')})` : ''}`);
    }
    tree = mergedTree ?? '';
  }
  await exportTree(mirror, tree, dir, signal);
  return { tree };
}

/** Write a tree's files into `dir` through a private index, so parallel builds never share one. */
async function exportTree(mirror: string, tree: string, dir: string, signal?: AbortSignal): Promise<void> {
  const index = path.join(mirror, `gatehouse-index-${randomUUID()}`);
  const opts = { env: { GIT_INDEX_FILE: index }, timeoutMs: GIT_CALL_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  await mkdir(dir, { recursive: true });
  try {
    // Read into the empty private index and write every file out (-u), in one git process.
    await runGit([`--git-dir=${mirror}`, `--work-tree=${dir}`, 'read-tree', '--reset', '-u', tree], opts);
  } finally {
    await rm(index, { force: true });
  }
}

function localRef(ref: string): string {
  return `refs/gatehouse/${ref.slice('refs/'.length)}`;
}

/** The master is trusted, but a bad value must fail here, not become a git option or a leaked token. */
function validate(source: SourceSpec): void {
  const refs = [source.ref, ...(source.mergeBase ? [source.mergeBase] : [])];
  for (const ref of refs) {
    if (!REF.test(ref) || ref.includes('..') || ref.endsWith('.lock')) throw new Error(`not a full git ref name: "${ref}" (expected e.g. refs/pull/5/head)`);
  }
  if (!SHA.test(source.sha)) throw new Error(`not a full commit id: "${source.sha}"`);
  if (source.cloneUrl === '' || source.cloneUrl.startsWith('-')) throw new Error(`not a clone URL: "${source.cloneUrl}"`);
  if (/^https?:\/\/[^/]*@/i.test(source.cloneUrl) || /^[a-z+]+:\/\/[^/@]*:[^/@]*@/i.test(source.cloneUrl)) {
    throw new Error('the clone URL carries credentials; tokens never go in URLs (use a git credential helper on the worker)');
  }
}
