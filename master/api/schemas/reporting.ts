import { z } from 'zod';
import { nullableTime, time } from './common.js';

/** A commit status of the build, as the master's outbox holds it. */
export const apiBuildStatus = z.object({
  /** awaiting | queued@<attempts> | started@<attempts> | finished */
  transition: z.string(),
  context: z.string(),
  github_state: z.enum(['pending', 'success', 'failure', 'error']),
  description: z.string(),
  /** pending (not sent yet) | sent | failed (given up) | superseded (a newer state of its sha and context went instead; never sent) */
  state: z.enum(['pending', 'sent', 'failed', 'superseded']),
  attempts: z.number().int(),
  next_attempt_at: time,
  last_error: z.string().nullable(),
  created_at: time,
  sent_at: nullableTime,
});
export type ApiBuildStatus = z.infer<typeof apiBuildStatus>;

const published = z.enum(['started', 'finished']);
/** The build on the logs branch: what it should show, what it shows, and why it does not yet. */
export const apiLogsPublication = z.object({
  /** started: the placeholder; finished: the whole folder. */
  wanted: published,
  published: published.nullable(),
  attempts: z.number().int(),
  next_attempt_at: time,
  /** The last failure, as git or the remote said it (a refused push carries the remote's message). */
  last_error: z.string().nullable(),
  updated_at: time,
});
export type ApiLogsPublication = z.infer<typeof apiLogsPublication>;

/** GET /api/v2/builds/:id/reporting: what the build told GitHub and the logs branch. */
export const apiBuildReporting = z.object({
  statuses: z.array(apiBuildStatus),
  /** null when the build has no row (it never ran, or there is no logs branch). */
  logs: apiLogsPublication.nullable(),
});
export type ApiBuildReporting = z.infer<typeof apiBuildReporting>;
