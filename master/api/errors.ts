// Every error the REST API answers, in one catalogue: a code a client can test, its HTTP status and
// its message. Routes throw `apiError(code, …)`; create-master's error handler is the one place that
// turns it (or fastify's own errors) into `{ error, code }`. `error` keeps the text clients and
// tests read; `code` is what a program should branch on.
import { z } from 'zod';

const CATALOGUE = {
  validation_failed: { status: 400, message: (why: string) => why },
  bad_query: { status: 400, message: (why: string) => why },
  admin_token_not_configured: { status: 401, message: () => 'no admin token is configured (http.adminToken)' },
  admin_token_required: { status: 401, message: () => 'admin token required (Authorization: Bearer <token>)' },
  builder_not_found: { status: 404, message: (name: string) => `no builder "${name}"` },
  nothing_to_rebuild: { status: 404, message: (builder: string, pr?: number) => `no earlier build of "${builder}" to rebuild${pr ? ` for PR #${pr}` : ''}` },
  ref_not_found: { status: 404, message: (repo: string, ref: string) => `${repo} has no branch, tag, commit or pull request "${ref}"` },
  repo_not_built: { status: 400, message: (builder: string, repo: string) => `builder "${builder}" does not run for ${repo} (not served, or not in its repos)` },
  unknown_property: { status: 400, message: (builder: string, why: string) => `builder "${builder}": ${why}` },
  github_unavailable: { status: 503, message: (why: string) => `cannot resolve the ref through GitHub: ${why}` },
  build_not_found: { status: 404, message: (id: number) => `no build ${id}` },
  step_not_found: { status: 404, message: (build: number, step: string) => `no step ${step} in build ${build}` },
  artifact_not_found: { status: 404, message: (build: number, artifact: number) => `no artifact ${artifact} in build ${build}` },
  build_finished: { status: 409, message: (id: number, result: string | null) => `build ${id} already finished (${result})` },
  /** Any other client error fastify raises (a malformed body, a body too large…), with its message. */
  request_refused: { status: 400, message: (why: string) => why },
  internal_error: { status: 500, message: () => 'internal error' },
  storage_full: { status: 503, message: (why: string) => `the master cannot store this now (${why}); try again later` },
} as const satisfies Record<string, { status: number; message: (...args: never[]) => string }>;

export type ApiErrorCode = keyof typeof CATALOGUE;
type MessageArgs<C extends ApiErrorCode> = Parameters<(typeof CATALOGUE)[C]['message']>;

export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode, readonly statusCode: number, message: string) {
    super(message);
  }
}

/** The error of `code`, to throw from a route (or a hook); the error handler sends it. */
export function apiError<C extends ApiErrorCode>(code: C, ...args: MessageArgs<C>): ApiError {
  const entry = CATALOGUE[code];
  return new ApiError(code, entry.status, (entry.message as (...a: MessageArgs<C>) => string)(...args));
}

/** The body of every error answer of /api/v2. */
export const apiErrorBody = z.object({ error: z.string(), code: z.string() });
export type ApiErrorBody = z.infer<typeof apiErrorBody>;

/** Route schema `response` entries for these errors, plus the 500 any route may answer; each status names its codes. */
export function errorResponses(...codes: ApiErrorCode[]): Record<number, typeof apiErrorBody> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of [...codes, 'internal_error' as const]) byStatus.set(CATALOGUE[code].status, [...(byStatus.get(CATALOGUE[code].status) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, those]) => [status, apiErrorBody.describe(`code: ${those.join(' | ')}`)]));
}
