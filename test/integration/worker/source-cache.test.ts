import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSourceCache, mirrorPath } from '../../../worker/source-cache.js';
import { createTestRepo, type TestRepo } from '../../support/worker-git-repo.js';

let tmp: string;
let repo: TestRepo;
let cacheDir: string;
let prSha: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-source-'));
  repo = createTestRepo(path.join(tmp, 'upstream'));
  prSha = repo.commit({ 'src/app.sh': { content: 'echo app\n', mode: 0o755 }, 'README.md': 'from the PR\n' }, 'PR change');
  repo.setRef('refs/pull/1/head', prSha);
  cacheDir = path.join(tmp, 'cache');
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const workDir = (name: string) => path.join(tmp, 'work', name);

/** Every entry under `dir`, with its type: what a checkout wrote. */
const listTree = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => `${path.relative(dir, path.join(e.parentPath, e.name))} ${e.isSymbolicLink() ? 'link' : e.isDirectory() ? 'dir' : 'file'}`)
    .sort();

describe('source cache', () => {
  it('fetches a pull request ref into a bare mirror and writes its files, without .git', async () => {
    const cache = createSourceCache({ dir: cacheDir });
    const dir = workDir('a');
    await cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: prSha }, dir);

    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('from the PR\n');
    expect(readFileSync(path.join(dir, 'src/app.sh'), 'utf8')).toBe('echo app\n');
    expect(statSync(path.join(dir, 'src/app.sh')).mode & 0o111).not.toBe(0);
    expect(existsSync(path.join(dir, '.git'))).toBe(false);
    const mirror = mirrorPath(cacheDir, repo.dir);
    expect(existsSync(path.join(mirror, 'HEAD'))).toBe(true);
    expect(existsSync(path.join(mirror, 'refs/gatehouse/pull/1/head'))).toBe(true);
  });

  it('refuses a ref that is not at the expected commit, saying which is which', async () => {
    const cache = createSourceCache({ dir: cacheDir });
    const wrong = 'b'.repeat(40);
    const refused = cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: wrong }, workDir('a'));
    await expect(refused).rejects.toThrow(`refs/pull/1/head of ${repo.dir} is at ${prSha}, not at the expected ${wrong}`);
    // The ref moved on: the build is superseded by the tip, not broken (build-runner.ts).
    await expect(refused).rejects.toMatchObject({ name: 'SourceMovedError', tip: prSha });
    expect(existsSync(path.join(workDir('a'), 'README.md'))).toBe(false);
  });

  it('fetches again when the pull request moves, reusing the mirror', async () => {
    const cache = createSourceCache({ dir: cacheDir });
    await cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: prSha }, workDir('a'));
    const second = repo.commit({ 'NEW.md': 'second push\n' }, 'second push', prSha);
    repo.setRef('refs/pull/1/head', second);
    await cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: second }, workDir('b'));
    expect(readFileSync(path.join(workDir('b'), 'NEW.md'), 'utf8')).toBe('second push\n');
    expect(existsSync(path.join(workDir('a'), 'NEW.md'))).toBe(false);
  });

  it('leaves maintenance out of each fetch and runs it itself after every maintenanceEvery-th fetch', async () => {
    const heads = [2, 3, 4].map((n) => {
      const sha = repo.commit({ [`f${n}.md`]: `${n}\n` }, `push ${n}`, prSha);
      repo.setRef(`refs/pull/${n}/head`, sha);
      return { n, sha };
    });
    const cache = createSourceCache({ dir: cacheDir, maintenanceEvery: 2 });
    const trace = path.join(tmp, 'git-trace');
    process.env.GIT_TRACE = trace; // every git the checkouts start says so there
    try {
      for (const { n, sha } of heads) await cache.checkout({ cloneUrl: repo.dir, ref: `refs/pull/${n}/head`, sha }, workDir(`w${n}`));
    } finally {
      delete process.env.GIT_TRACE;
    }
    const lines = readFileSync(trace, 'utf8').split('\n');
    expect(lines.filter((l) => l.includes('built-in: git fetch')).length).toBe(3);
    // The one after the second fetch, which ran before the third checkout (calls for a mirror queue).
    expect(lines.filter((l) => l.includes('built-in: git maintenance run --auto')).length).toBe(1);
  });

  it('runs checkouts of the same mirror one at a time, and all of them succeed', async () => {
    const cache = createSourceCache({ dir: cacheDir });
    const spec = { cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: prSha };
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => cache.checkout(spec, workDir(n))));
    for (const n of ['a', 'b', 'c', 'd']) expect(readFileSync(path.join(workDir(n), 'README.md'), 'utf8')).toBe('from the PR\n');
  });

  it('copies a tree built again from kept files, as git wrote it (subdirectories, modes, symlinks), each build its own copy', async () => {
    const sha = repo.commit(
      {
        'src/app.sh': { content: 'echo app\n', mode: 0o755 },
        'src/deep/data.txt': 'data\n',
        'app-link': { content: 'src/app.sh', mode: 0o120000 },
        'src-link': { content: 'src', mode: 0o120000 },
      },
      'tree with links',
    );
    repo.setRef('refs/pull/2/head', sha);
    const cache = createSourceCache({ dir: cacheDir });
    const spec = { cloneUrl: repo.dir, ref: 'refs/pull/2/head', sha };
    await cache.checkout(spec, workDir('a')); // written by git
    await cache.checkout(spec, workDir('b')); // written again: now kept
    writeFileSync(path.join(workDir('b'), 'README.md'), 'changed by build b\n');
    // Without the upstream and the mirror, only the kept files can give a third build its sources.
    rmSync(repo.dir, { recursive: true, force: true });
    rmSync(mirrorPath(cacheDir, repo.dir), { recursive: true, force: true });
    await cache.checkout(spec, workDir('c'));

    const c = workDir('c');
    expect(listTree(c)).toEqual(listTree(workDir('a')));
    expect(readFileSync(path.join(c, 'README.md'), 'utf8')).toBe('hello\n');
    expect(readFileSync(path.join(c, 'src/deep/data.txt'), 'utf8')).toBe('data\n');
    expect(statSync(path.join(c, 'src/app.sh')).mode & 0o777).toBe(statSync(path.join(workDir('a'), 'src/app.sh')).mode & 0o777);
    expect(statSync(path.join(c, 'src/app.sh')).mode & 0o111).not.toBe(0);
    expect(lstatSync(path.join(c, 'app-link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(c, 'app-link'))).toBe('src/app.sh');
    expect(readlinkSync(path.join(c, 'src-link'))).toBe('src');
    expect(statSync(path.join(c, 'README.md')).ino).not.toBe(statSync(path.join(workDir('b'), 'README.md')).ino);
  });

  it('tests the merge into the base branch when asked', async () => {
    const main = repo.commit({ 'MAIN.md': 'on main\n' }, 'main moves on');
    repo.setRef('refs/heads/main', main);
    const cache = createSourceCache({ dir: cacheDir });
    await cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: prSha, mergeBase: 'refs/heads/main' }, workDir('m'));
    expect(readFileSync(path.join(workDir('m'), 'MAIN.md'), 'utf8')).toBe('on main\n');
    expect(readFileSync(path.join(workDir('m'), 'src/app.sh'), 'utf8')).toBe('echo app\n');
  });

  it('says which files conflict when the merge does not apply', async () => {
    const main = repo.commit({ 'README.md': 'changed on main\n' }, 'main edits README');
    repo.setRef('refs/heads/main', main);
    const cache = createSourceCache({ dir: cacheDir });
    await expect(
      cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: prSha, mergeBase: 'refs/heads/main' }, workDir('m')),
    ).rejects.toThrow(`${prSha} does not merge cleanly into refs/heads/main (conflicts in README.md)`);
  });

  it('refuses URLs with credentials and ref names that could be options', async () => {
    const cache = createSourceCache({ dir: cacheDir });
    await expect(cache.checkout({ cloneUrl: 'https://x-access-token:ghp_secret@github.com/a/b.git', ref: 'refs/pull/1/head', sha: prSha }, workDir('x'))).rejects.toThrow(
      'carries credentials',
    );
    await expect(cache.checkout({ cloneUrl: repo.dir, ref: '--upload-pack=touch /tmp/x', sha: prSha }, workDir('x'))).rejects.toThrow('not a full git ref name');
  });

  it('reports a ref that does not exist upstream', async () => {
    const cache = createSourceCache({ dir: cacheDir });
    await expect(cache.checkout({ cloneUrl: repo.dir, ref: 'refs/pull/99/head', sha: prSha }, workDir('x'))).rejects.toThrow(
      `cannot fetch refs/pull/99/head from ${repo.dir}`,
    );
  });
});
