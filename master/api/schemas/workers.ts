import { z } from 'zod';
import { listOf, nullableTime } from './common.js';

/** One image of a worker: its current version and every version's lifecycle state, as the worker reported it. */
export const apiImageFamily = z.object({
  image: z.string(),
  current: z.string().optional(),
  versions: z.array(z.object({
    name: z.string(),
    state: z.enum(['candidate', 'current', 'previous', 'obsolete', 'failed']),
    builtAt: z.string(),
    verifiedAt: z.string().optional(),
    lastUsedAt: z.string().optional(),
    obsoleteAt: z.string().optional(),
    failure: z.string().optional(),
  })),
});
export type ApiImageFamily = z.infer<typeof apiImageFamily>;

export const apiWorker = z.object({
  name: z.string(),
  configured: z.boolean(),
  connected: z.boolean(),
  connected_since: nullableTime,
  last_seen: nullableTime,
  version: z.string().nullable(),
  slots: z.number().int().nullable(),
  arch: z.array(z.string()),
  labels: z.array(z.string()),
  images: z.array(z.string()),
  /** Each image's versions as the worker last reported them (empty from older workers). */
  image_versions: z.array(apiImageFamily),
  running_builds: z.array(z.number().int()),
});
export type ApiWorker = z.infer<typeof apiWorker>;
export const workerList = listOf('workers', apiWorker);
