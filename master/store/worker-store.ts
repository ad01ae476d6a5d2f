// The workers table: every worker that ever said hello, what it said (version, slots, arch, labels,
// images as JSON), whether it is connected, and the last message seq the master applied from it.
import type { Db } from './open-database.js';

export interface WorkerRow {
  name: string;
  instance_id: string | null;
  last_seq: number;
  connected: number;
  connected_at: number | null;
  last_seen: number | null;
  version: string | null;
  slots: number | null;
  /** JSON string[] */
  arch: string | null;
  /** JSON string[] */
  labels: string | null;
  /** JSON string[] */
  images: string | null;
  /** JSON image families with their versions, from the worker's hello or images message. */
  image_versions: string | null;
}

export interface WorkerHello {
  name: string;
  instanceId: string;
  at: number;
  version: string;
  slots: number;
  arch: string;
  labels: string;
  images: string;
}

export function createWorkerStore(db: Db) {
  const all = db.prepare<[], WorkerRow>('SELECT * FROM workers');
  const byName = db.prepare<[string], WorkerRow>('SELECT * FROM workers WHERE name = ?');
  // The same instance keeps its seq (a reconnect); a restarted worker starts again from 0.
  const connected = db.prepare(
    `INSERT INTO workers (name, instance_id, last_seq, connected, connected_at, last_seen, version, slots, arch, labels, images)
     VALUES (@name, @instance_id, 0, 1, @at, @at, @version, @slots, @arch, @labels, @images)
     ON CONFLICT (name) DO UPDATE SET instance_id = excluded.instance_id, connected = 1, connected_at = excluded.connected_at,
       last_seen = excluded.last_seen, version = excluded.version, slots = excluded.slots, arch = excluded.arch,
       labels = excluded.labels, images = excluded.images,
       last_seq = CASE WHEN workers.instance_id = excluded.instance_id THEN workers.last_seq ELSE 0 END`,
  );
  const disconnected = db.prepare<[number, string]>('UPDATE workers SET connected = 0, last_seen = ? WHERE name = ?');
  const allDisconnected = db.prepare('UPDATE workers SET connected = 0');
  const setImageVersions = db.prepare<[string, string]>('UPDATE workers SET image_versions = ? WHERE name = ?');
  const setLastSeq = db.prepare<[number, number, string]>('UPDATE workers SET last_seq = ?, last_seen = ? WHERE name = ?');
  const noOpWrite = db.prepare('UPDATE workers SET last_seen = last_seen WHERE 0');

  return {
    all: (): WorkerRow[] => all.all(),
    get: (name: string): WorkerRow | undefined => byName.get(name),
    markConnected: (h: WorkerHello) =>
      void connected.run({ name: h.name, instance_id: h.instanceId, at: h.at, version: h.version, slots: h.slots, arch: h.arch, labels: h.labels, images: h.images }),
    markDisconnected: (name: string, at: number) => void disconnected.run(at, name),
    /** At start: no worker is connected to a master that just started. */
    markAllDisconnected: () => void allDisconnected.run(),
    setImageVersions: (name: string, json: string) => void setImageVersions.run(json, name),
    /** The worker's last applied message, which is also when it was last seen. */
    setLastSeq: (name: string, seq: number, at: number) => void setLastSeq.run(seq, at, name),
    /** A write that changes nothing, in a transaction: throws when the database takes no writes (a full disk, read-only). */
    probeWrite: () => void db.transaction(() => noOpWrite.run())(),
  };
}
export type WorkerStore = ReturnType<typeof createWorkerStore>;
