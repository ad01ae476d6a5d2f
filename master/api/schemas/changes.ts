import { z } from 'zod';
import { listOf, time } from './common.js';

/** A change as it came in (a webhook, reconcile, a rebuild, a chained builder), less its data. */
export const apiChange = z.object({
  id: z.number().int(),
  delivery_id: z.string().nullable(),
  /** pull_request | push | comment | reconcile | rebuild | after */
  kind: z.string(),
  repo: z.string(),
  pr: z.number().int().nullable(),
  sha: z.string().nullable(),
  ref: z.string().nullable(),
  author: z.string().nullable(),
  title: z.string().nullable(),
  /** pending | processed */
  state: z.string(),
  created_at: time,
});
export type ApiChange = z.infer<typeof apiChange>;
export const changeList = listOf('changes', apiChange);
