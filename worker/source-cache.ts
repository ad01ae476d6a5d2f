// Sources come from a bare git mirror per clone URL, kept between builds, so a build fetches only
// what is new. A checkout fetches the build's ref into the mirror, checks it is the commit the
// master asked for, and writes that tree (or its merge into the base branch) into the work
// directory, without a .git: the steps get files, the mirror stays the only repository.
// A commit built before is not looked up again (a commit's tree never changes), and a tree built
// again is copied from files kept beside the mirror (tree-copies.ts): a rebuild, or several builders
// on one head, runs no git process at all.
// Calls for the same mirror run one at a time: two git fetches into one repository race on its refs.
// A fetch does not start `git maintenance run --auto` itself (one more git process per new head):
// the cache runs it after every `maintenanceEvery`-th fetch into a mirror, so loose objects are
// still packed in time.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SourceSpec } from '../shared/protocol.js';
import { runGit } from '../shared/run-git.js';
import { createTreeCopies, type TreeCopies } from './tree-copies.js';

export interface SourceCache {
  /** Fetch `source.ref`, check it is `source.sha`, and write its tree (merged into `mergeBase` if set) into `dir`. */
  checkout(source: SourceSpec, dir: string, signal?: AbortSignal): Promise<{ tree: string }>;
}

export interface SourceCacheOptions {
  /** Where the mirrors live: `<dataDir>/worker/<name>/git`. */
  dir: string;
  /** Fetches into a mirror between two `git maintenance run --auto` (default 50). */
  maintenanceEvery?: number;
}

const REF = /^refs\/[A-Za-z0-9._/-]+$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** What this process knows of one mirror. */
interface MirrorState {
  /** The tree of each commit checked out from it (most recent last, bounded). */
  treeOf: Map<string, string>;
  trees: TreeCopies;
  /** Fetches since the last maintenance run. */
  fetches: number;
}

/** Commits whose tree is remembered per mirror: 40 + 40 characters each. */
const REMEMBERED_COMMITS = 1000;
const MAINTENANCE_EVERY = 50;

export function createSourceCache(options: SourceCacheOptions): SourceCache {
  const queues = new Map<string, Promise<unknown>>();
  const mirrors = new Map<string, MirrorState>();
  const stateOf = (mirror: string): MirrorState => {
    let state = mirrors.get(mirror);
    if (!state) mirrors.set(mirror, (state = { treeOf: new Map(), trees: createTreeCopies(`${mirror.replace(/\.git$/, '')}.trees`), fetches: 0 }));
    return state;
  };

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
      const state = stateOf(mirror);
      const result = await serialized(mirror, () => checkoutFrom(mirror, state, source, dir, signal));
      if (state.fetches >= (options.maintenanceEvery ?? MAINTENANCE_EVERY)) {
        state.fetches = 0;
        // After this build's checkout, before the mirror's next call; a failure only waits for the next turn.
        void serialized(mirror, () => runGit([`--git-dir=${mirror}`, 'maintenance', 'run', '--auto', '--quiet'], { timeoutMs: GIT_CALL_TIMEOUT_MS })).catch(() => {});
      }
      return result;
    },
  };
}

/**
 * The build's ref was pushed again after the build was queued: it names another commit now (the
 * tip). The master supersedes the build when it reads that push (it may not have yet: the worker
 * can see the push first); the build ends as superseded, not as an error of its own.
 */
export class SourceMovedError extends Error {
  override name = 'SourceMovedError';
  constructor(
    message: string,
    readonly tip: string,
  ) {
    super(message);
  }
}

/** `<hash>.git`: the URL itself may hold characters a file name cannot. */
export function mirrorPath(root: string, cloneUrl: string): string {
  return path.join(root, `${createHash('sha256').update(cloneUrl).digest('hex').slice(0, 20)}.git`);
}

/** A first fetch of a large repository takes a while; the build's timeout and a cancel stop it sooner (signal). */
const GIT_CALL_TIMEOUT_MS = 30 * 60_000;

async function checkoutFrom(mirror: string, state: MirrorState, source: SourceSpec, dir: string, signal?: AbortSignal): Promise<{ tree: string }> {
  const known = source.mergeBase ? undefined : state.treeOf.get(source.sha);
  const tree = known !== undefined && state.trees.has(known) ? known : await resolveTree(mirror, source, () => state.fetches++, signal);
  if (!source.mergeBase) remember(state.treeOf, source.sha, tree);
  await state.trees.writeTo(tree, dir, (into) => exportTree(mirror, tree, into, signal));
  return { tree };
}

function remember(treeOf: Map<string, string>, sha: string, tree: string): void {
  treeOf.delete(sha);
  treeOf.set(sha, tree);
  if (treeOf.size > REMEMBERED_COMMITS) treeOf.delete(treeOf.keys().next().value as string);
}

/** The tree to build: `source.sha`'s, fetched if the mirror lacks it, or its merge into `mergeBase`. */
async function resolveTree(mirror: string, source: SourceSpec, fetched: () => void, signal?: AbortSignal): Promise<string> {
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
  // One rev-parse answers both: is it a commit here, and what is its tree (exit 128: not here).
  const present = base ? undefined : await git(['rev-parse', `${source.sha}^{commit}`, `${source.sha}^{tree}`], [128]);
  let tree: string;
  if (present?.code === 0) {
    tree = present.stdout.trim().split('\n')[1] ?? '';
  } else {
    try {
      await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-auto-maintenance', '--', source.cloneUrl, ...refspecs]);
      fetched();
    } catch (error) {
      throw new Error(`cannot fetch ${source.ref} from ${source.cloneUrl}: ${(error as Error).message}`);
    }
    // The fetched tip and the asked commit's tree in one call (a git process costs more than it does).
    const resolved = await git(['rev-parse', `${head}^{commit}`, `${source.sha}^{tree}`], [128]);
    const [tip = '', treeOfSha = ''] = resolved.stdout.trim().split('\n');
    if (resolved.code !== 0 || tip !== source.sha) {
      const message = `${source.ref} of ${source.cloneUrl} is at ${SHA.test(tip) ? tip : 'no commit'}, not at the expected ${source.sha}`;
      if (SHA.test(tip)) throw new SourceMovedError(message, tip);
      throw new Error(message);
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
  return tree;
}

/** Write a tree's files into the empty directory `dir` through a private index, so parallel builds never share one. */
async function exportTree(mirror: string, tree: string, dir: string, signal?: AbortSignal): Promise<void> {
  const index = path.join(mirror, `gatehouse-index-${randomUUID()}`);
  const opts = { env: { GIT_INDEX_FILE: index }, timeoutMs: GIT_CALL_TIMEOUT_MS, ...(signal ? { signal } : {}) };
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
