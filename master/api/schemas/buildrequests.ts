import { z } from 'zod';
import { listOf, nullableTime, time } from './common.js';

export const requestState = z.enum(['awaiting-approval', 'queued', 'claimed', 'complete']);
export type RequestState = z.infer<typeof requestState>;

export const apiBuildRequest = z.object({
  id: z.number().int(),
  builder: z.string(),
  state: requestState,
  /** Why it is not running yet, as the dispatcher last said. */
  waiting: z.string().nullable(),
  /** Its place in the queue: higher is dispatched first (0 unless its builder or a forced build set one); waiting raises it (dispatch.priorityAgingMinutes). */
  priority: z.number().int(),
  attempts: z.number().int(),
  worker: z.string().nullable(),
  build_id: z.number().int().nullable(),
  repo: z.string().nullable(),
  pr: z.number().int().nullable(),
  sha: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: time,
  claimed_at: nullableTime,
});
export type ApiBuildRequest = z.infer<typeof apiBuildRequest>;
export const buildRequestList = listOf('buildrequests', apiBuildRequest);

/** GET /api/v2/queue: a waiting request (queued or awaiting approval) with its build's number. */
export const apiQueueEntry = apiBuildRequest.extend({ number: z.number().int() });
export type ApiQueueEntry = z.infer<typeof apiQueueEntry>;
export const queueList = listOf('buildrequests', apiQueueEntry);

/** The queue's pages (it has no filters or order). */
export const queueQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
