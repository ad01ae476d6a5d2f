import { z } from 'zod';
import { apiBuild } from './builds.js';
import { listOf, nullableTime } from './common.js';

/** A configured builder (both builder lists start with it). */
export const apiBuilderConfig = z.object({
  name: z.string(),
  executor: z.enum(['vm', 'host']),
  image: z.string().nullable(),
  arch: z.string().nullable(),
  labels: z.array(z.string()),
  max_concurrent: z.number().int().nullable(),
  steps: z.array(z.string()),
  /** What a forced build of it may set (its steps get GATEHOUSE_PROP_<name>). */
  properties: z.array(z.object({ name: z.string(), description: z.string().nullable(), default: z.string(), choices: z.array(z.string()).nullable() })),
  /** Its schedule (triggers.schedule): the next slot, and the newest slot handled (built or skipped). */
  schedule: z
    .object({ cron: z.string(), timezone: z.string().nullable(), ref: z.string(), only_if_changed: z.boolean(), next_at: nullableTime, last_slot_at: nullableTime })
    .nullable(),
});
export type ApiBuilderConfig = z.infer<typeof apiBuilderConfig>;

/** GET /api/v2/builders: a configured builder with its open builds counted. */
export const apiBuilder = apiBuilderConfig.extend({ running: z.number().int(), queued: z.number().int() });
export type ApiBuilder = z.infer<typeof apiBuilder>;
export const builderList = listOf('builders', apiBuilder);

export const builderState = z.enum(['idle', 'running', 'waiting']);
export type BuilderState = z.infer<typeof builderState>;

/** A worker that can run a builder (its arch, labels and image match). */
export const apiBuilderWorker = z.object({ name: z.string(), connected: z.boolean() });
export type ApiBuilderWorker = z.infer<typeof apiBuilderWorker>;

/** GET /api/v2/ui/builders: one row per configured builder, with its last builds. */
export const apiBuilderSummary = apiBuilderConfig.extend({
  state: builderState,
  running: z.number().int(),
  queued: z.number().int(),
  awaiting_approval: z.number().int(),
  /** Newest first, at most 15. */
  recent: z.array(apiBuild),
  workers: z.array(apiBuilderWorker),
});
export type ApiBuilderSummary = z.infer<typeof apiBuilderSummary>;
export const builderSummaryList = listOf('builders', apiBuilderSummary);
