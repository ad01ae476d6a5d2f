// The artifacts table: files and JUnit reports a build's steps collected, and where each is stored
// (a path under the master's data directory, or s3://… once the uploader moved it).
import type { Db } from './open-database.js';

export type ArtifactKind = 'junit' | 'file';

export interface ArtifactRow {
  id: number;
  step: string;
  kind: ArtifactKind;
  path: string;
  size: number;
  stored_at: string;
  created_at: number;
}

export interface NewArtifact {
  buildId: number;
  step: string;
  kind: string;
  path: string;
  size: number;
  storedAt: string;
  at: number;
  mode: number | null;
}

export function createArtifactStore(db: Db) {
  const insert = db.prepare<[number, string, string, string, number, string, number, number | null]>(
    'INSERT INTO artifacts (build_id, step, kind, path, size, stored_at, created_at, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const ofBuild = db.prepare<[number], ArtifactRow>('SELECT id, step, kind, path, size, stored_at, created_at FROM artifacts WHERE build_id = ? ORDER BY id');
  const filesOf = db.prepare<[number], { id: number; path: string; size: number; mode: number | null }>(
    `SELECT id, path, size, mode FROM artifacts WHERE build_id = ? AND kind = 'file' ORDER BY id`,
  );
  const fileById = db.prepare<[number], { stored_at: string; size: number }>(`SELECT stored_at, size FROM artifacts WHERE id = ? AND kind = 'file'`);
  // The artifact with the build that collected it (who may download it).
  const fileWithBuild = db.prepare<[number], { path: string; builder: string; repo: string; sha: string | null; result: string | null }>(
    `SELECT a.path, b.builder, b.repo, b.sha, b.result FROM artifacts a JOIN builds b ON b.id = a.build_id WHERE a.id = ? AND a.kind = 'file'`,
  );
  const notInBucket = db.prepare<[number], { id: number; build_id: number; path: string; stored_at: string }>(
    `SELECT id, build_id, path, stored_at FROM artifacts WHERE id > ? AND kind = 'file' AND stored_at NOT LIKE 's3://%' ORDER BY id LIMIT 50`,
  );
  const moved = db.prepare<[string, number, string]>('UPDATE artifacts SET stored_at = ? WHERE id = ? AND stored_at = ?');
  const laterSharing = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM artifacts WHERE stored_at = ? AND id > ?');
  const deleteFor = db.prepare<[string]>('DELETE FROM artifacts WHERE build_id IN (SELECT value FROM json_each(?))');

  return {
    insert: (a: NewArtifact) => void insert.run(a.buildId, a.step, a.kind, a.path, a.size, a.storedAt, a.at, a.mode),
    /** A build's artifacts, in the order they were collected. */
    ofBuild: (buildId: number): ArtifactRow[] => ofBuild.all(buildId),
    /** A build's file artifacts (not JUnit), in the order they were collected. */
    filesOf: (buildId: number) => filesOf.all(buildId),
    fileById: (id: number) => fileById.get(id),
    fileWithBuild: (id: number) => fileWithBuild.get(id),
    /** File artifacts after `afterId` still on the master's disk, 50 at a time, oldest first. */
    notInBucket: (afterId: number) => notInBucket.all(afterId),
    /** Point an artifact at its new place; false when it changed meanwhile. */
    move: (id: number, from: string, to: string): boolean => moved.run(to, id, from).changes === 1,
    /** Some later artifact row is stored at the same place (the same path collected twice). */
    laterSharing: (storedAt: string, id: number): boolean => (laterSharing.get(storedAt, id) as { n: number }).n > 0,
    deleteForBuilds: (buildIds: number[]) => void deleteFor.run(JSON.stringify(buildIds)),
  };
}
export type ArtifactStore = ReturnType<typeof createArtifactStore>;
