// Removes staged uploads that no artifact message can claim any more: those of builds that are
// not running. Run at start, hourly, and with retention; it needs no logs configuration.
import type { Db } from '../queue/open-database.js';
import { createUploadStaging, uploadStagingDir } from './upload-staging.js';

export function sweepUploads(db: Db, dataDir: string, now: number): number {
  const running = new Set(db.prepare<[], { id: number }>(`SELECT id FROM builds WHERE state = 'running'`).all().map((r) => r.id));
  return createUploadStaging(uploadStagingDir(dataDir)).sweep((id) => running.has(id), now);
}
