import { afterEach, describe, expect, it } from 'vitest';
import type { NewArtifact } from '../../../master/store/artifact-store.js';
import { newBuild, openStoreDb, type StoreDb } from '../../support/store-db.js';

describe('artifact store', () => {
  let t: StoreDb;
  afterEach(() => t?.close());

  function seed() {
    t = openStoreDb();
    const { builds, artifacts } = t.stores;
    const build = builds.create(newBuild('unit'));
    const other = builds.create(newBuild('lint'));
    const add = (over: Partial<NewArtifact>) =>
      artifacts.insert({ buildId: build.id, step: '0', kind: 'file', path: 'out/app', size: 10, storedAt: '/data/a/1/out/app', at: 5, mode: null, ...over });
    add({ kind: 'junit', path: 'report.xml', storedAt: '/data/a/1/report.xml' });
    add({ mode: 0o755 });
    add({ step: '1', path: 'out/app', storedAt: '/data/a/1/out/app', size: 12 }); // the same path collected again: the same file
    add({ buildId: other.id, path: 'lint.txt', storedAt: 's3://bucket/lint.txt' });
    const ids = artifacts.ofBuild(build.id).map((a) => a.id);
    return { build, other, ids, artifacts };
  }

  it('lists a build\'s artifacts, and its files with their mode, in the order collected', () => {
    const { build, ids, artifacts } = seed();
    expect(artifacts.ofBuild(build.id).map((a) => [a.kind, a.path, a.size])).toEqual([['junit', 'report.xml', 10], ['file', 'out/app', 10], ['file', 'out/app', 12]]);
    expect(artifacts.filesOf(build.id)).toEqual([
      { id: ids[1], path: 'out/app', size: 10, mode: 0o755 }, { id: ids[2], path: 'out/app', size: 12, mode: null },
    ]);
  });

  it('looks up a file artifact by id, with the build that collected it; JUnit reports are not files', () => {
    const { ids, artifacts } = seed();
    expect(artifacts.fileById(ids[1]!)).toEqual({ stored_at: '/data/a/1/out/app', size: 10 });
    expect(artifacts.fileById(ids[0]!)).toBeUndefined();
    expect(artifacts.fileWithBuild(ids[1]!)).toEqual({ path: 'out/app', builder: 'unit', repo: 'o/r', sha: 'a'.repeat(40), result: null });
    expect(artifacts.fileWithBuild(ids[0]!)).toBeUndefined();
  });

  it('finds files not yet in the bucket after an id, moves one only from where it was, and sees a later row sharing its file', () => {
    const { ids, artifacts } = seed();
    expect(artifacts.notInBucket(0).map((a) => a.id)).toEqual([ids[1], ids[2]]);
    expect(artifacts.notInBucket(ids[1]!).map((a) => a.id)).toEqual([ids[2]]);
    expect(artifacts.laterSharing('/data/a/1/out/app', ids[1]!)).toBe(true);
    expect(artifacts.laterSharing('/data/a/1/out/app', ids[2]!)).toBe(false);
    expect(artifacts.move(ids[1]!, '/elsewhere', 's3://bucket/x')).toBe(false);
    expect(artifacts.move(ids[1]!, '/data/a/1/out/app', 's3://bucket/x')).toBe(true);
    expect(artifacts.notInBucket(0).map((a) => a.id)).toEqual([ids[2]]);
  });

  it('deletes the artifact rows of the given builds only', () => {
    const { build, other, artifacts } = seed();
    artifacts.deleteForBuilds([build.id]);
    expect(artifacts.ofBuild(build.id)).toEqual([]);
    expect(artifacts.ofBuild(other.id)).toHaveLength(1);
  });
});
