import { z } from 'zod';
import { listOf, nullableTime, time } from './common.js';

export const buildState = z.enum(['queued', 'running', 'finished']);
export type BuildState = z.infer<typeof buildState>;
export const buildResult = z.enum(['success', 'failure', 'error', 'cancelled', 'skipped']);
export type BuildResult = z.infer<typeof buildResult>;

export const apiBuild = z.object({
  id: z.number().int(),
  builder: z.string(),
  number: z.number().int(),
  state: buildState,
  result: buildResult.nullable(),
  result_reason: z.string().nullable(),
  reason: z.string(),
  repo: z.string(),
  pr: z.number().int().nullable(),
  /** The pull request's title and author (null for a push, or before its webhook is stored). */
  pr_title: z.string().nullable(),
  pr_author: z.string().nullable(),
  sha: z.string().nullable(),
  ref: z.string().nullable(),
  worker: z.string().nullable(),
  cancel_requested: z.string().nullable(),
  created_at: time,
  started_at: nullableTime,
  finished_at: nullableTime,
  /** The VM image the build booted, its version (<image>-YYYYMMDD[.N], or the manifest's name) and when (vm builds). */
  image: z.string().nullable(),
  image_version: z.string().nullable(),
  image_used_at: nullableTime,
  /** Only the builder's docs steps run (a skip string that means "docs"). */
  docs_only: z.boolean(),
});
export type ApiBuild = z.infer<typeof apiBuild>;

export const buildList = listOf('builds', apiBuild);
