// Fields both directions of the worker protocol use, and how a rejected message is described.
import { z } from 'zod';

export const resultSchema = z.enum(['success', 'failure', 'error', 'cancelled', 'skipped']);
export type BuildResult = z.output<typeof resultSchema>;
export type StepResult = z.output<typeof resultSchema>;

export const logStreamSchema = z.enum(['stdout', 'stderr', 'header']);
export type LogStream = z.output<typeof logStreamSchema>;

export const buildIdSchema = z.number().int().positive();
/** Position in the builder: "0", "1", and "2.0", "2.1" for children of a parallel group. */
export const stepIdSchema = z.string().regex(/^[0-9]+(\.[0-9]+)*$/);
export const seqSchema = z.number().int().positive();

/** "path: what is wrong; …", for the log line that reports a message as rejected. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}
