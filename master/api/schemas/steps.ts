import { z } from 'zod';
import { buildResult } from './builds.js';
import { listOf, nullableTime, positiveId } from './common.js';

export const stepState = z.enum(['pending', 'running', 'finished']);
export type StepState = z.infer<typeof stepState>;

export const apiStep = z.object({
  /** Position in the builder: "0", "1", "2.0"… */
  step: z.string(),
  name: z.string(),
  state: stepState,
  result: buildResult.nullable(),
  exit_code: z.number().int().nullable(),
  reason: z.string().nullable(),
  started_at: nullableTime,
  finished_at: nullableTime,
  duration_ms: z.number().int().nullable(),
  log_bytes: z.number().int(),
});
export type ApiStep = z.infer<typeof apiStep>;

export const stepList = listOf('steps', apiStep);

/** A step of a build in a path: /builds/:id/steps/:step. */
export const stepParams = z.object({ id: positiveId, step: z.string().regex(/^[0-9]+(\.[0-9]+)*$/) });
