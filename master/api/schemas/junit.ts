import { z } from 'zod';

export const apiJunitFailure = z.object({
  /** "failure" (an assertion) or "error" (the test crashed). */
  kind: z.enum(['failure', 'error']),
  suite: z.string(),
  classname: z.string(),
  name: z.string(),
  message: z.string(),
  /** The element's text (usually a stack trace), cut to a few KB. */
  detail: z.string(),
});
export type ApiJunitFailure = z.infer<typeof apiJunitFailure>;

/** GET /api/v2/builds/:id/junit: the build's JUnit results (master/logs/junit-summary.ts). */
export const apiJunit = z.object({
  tests: z.number().int(),
  /** Failures and errors together. */
  failed: z.number().int(),
  skipped: z.number().int(),
  /** The first 100 failures and errors; `failed` has the true number. */
  failures: z.array(apiJunitFailure),
  /** Files that were not JUnit XML, with why. */
  unreadable: z.array(z.string()),
  /** The JUnit files the build collected (paths in its work directory). */
  files: z.array(z.string()),
});
export type ApiJunit = z.infer<typeof apiJunit>;
