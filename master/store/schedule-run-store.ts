// The schedule_runs table: per builder, the newest schedule slot handled and the commit it saw, so
// a restart knows which slot it missed (and runs it once) and `onlyIfChanged` knows what was built.
import type { Db } from './open-database.js';

export interface ScheduleRun {
  builder: string;
  /** The slot's time (ms): every slot up to it is done. */
  slot_at: number;
  /** The commit the scheduled ref pointed at then (null when it was not looked up). */
  sha: string | null;
  /** The change that slot stored, if it asked for a build (the build follows from it). */
  change_id: number | null;
  updated_at: number;
}

export function createScheduleRunStore(db: Db, now: () => number) {
  const get = db.prepare<[string], ScheduleRun>('SELECT * FROM schedule_runs WHERE builder = ?');
  const upsert = db.prepare<[string, number, string | null, number | null, number]>(
    `INSERT INTO schedule_runs (builder, slot_at, sha, change_id, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (builder) DO UPDATE SET slot_at = excluded.slot_at, sha = excluded.sha, change_id = excluded.change_id, updated_at = excluded.updated_at`,
  );
  return {
    get: (builder: string): ScheduleRun | undefined => get.get(builder),
    /** This slot is handled; `sha` and `changeId` say what it saw and asked for. */
    record: (builder: string, slotAt: number, sha: string | null, changeId: number | null) => void upsert.run(builder, slotAt, sha, changeId, now()),
  };
}
export type ScheduleRunStore = ReturnType<typeof createScheduleRunStore>;
