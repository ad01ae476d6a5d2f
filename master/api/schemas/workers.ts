import { z } from 'zod';
import { listOf, nullableTime } from './common.js';
import { imageFamilyReportSchema } from '../../../shared/protocol/worker-messages.js';

/** One image of a worker as the worker reported it: the protocol's shape, shown as it is. */
export const apiImageFamily = imageFamilyReportSchema;
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
