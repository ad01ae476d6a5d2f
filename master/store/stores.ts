// Every store over one database: what the rest of the master takes instead of the database itself.
import type { Db } from './open-database.js';
import { createArtifactStore } from './artifact-store.js';
import { createBuildRequestStore } from './build-request-store.js';
import { createBuildStore } from './build-store.js';
import { createChangeStore } from './change-store.js';
import { createCheckRunStore } from './check-run-store.js';
import { createDeliveryStore } from './delivery-store.js';
import { createNotificationStore } from './notification-store.js';
import { createPrCommentStore } from './pr-comment-store.js';
import { createPublicationStore } from './publication-store.js';
import { createScheduleRunStore } from './schedule-run-store.js';
import { createStatusStore } from './status-store.js';
import { createStepStore } from './step-store.js';
import { createWorkerStore } from './worker-store.js';

export function createStores(db: Db, now: () => number = Date.now) {
  return {
    builds: createBuildStore(db, now),
    requests: createBuildRequestStore(db, now),
    steps: createStepStore(db),
    deliveries: createDeliveryStore(db),
    changes: createChangeStore(db, now),
    workers: createWorkerStore(db),
    statuses: createStatusStore(db, now),
    checkRuns: createCheckRunStore(db, now),
    prComments: createPrCommentStore(db, now),
    artifacts: createArtifactStore(db),
    publications: createPublicationStore(db, now),
    notifications: createNotificationStore(db, now),
    scheduleRuns: createScheduleRunStore(db, now),
    /** Run `fn` in one transaction (nested: a savepoint); what it throws rolls everything back. */
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}
export type Stores = ReturnType<typeof createStores>;
