// The master's REST API for the CLI: fetch, then parse the answer with the API's own zod schemas
// (master/api/schemas/), so the CLI and the master share one description of every shape.
import type { z } from 'zod';
import { apiErrorBody } from '../../master/api/errors.js';
import { UI_CLIENT_HEADER } from '../../master/api/action-routes.js';
import { EXIT } from './exit-codes.js';

/** A failed call, with the exit code it maps to and a message for people. */
export class MasterApiError extends Error {
  constructor(message: string, readonly exitCode: number, readonly code?: string) {
    super(message);
  }
}

export interface MasterTarget {
  /** Base URL, e.g. http://ci.example.org:8010. */
  url: string;
  /** The admin token (actions need it; reads do not). */
  token: string | undefined;
}

const EXIT_BY_CODE: Record<string, number> = {
  build_not_found: EXIT.notFound, builder_not_found: EXIT.notFound, step_not_found: EXIT.notFound, ref_not_found: EXIT.notFound, nothing_to_rebuild: EXIT.notFound,
  admin_token_not_configured: EXIT.refused, admin_token_required: EXIT.refused,
  build_finished: EXIT.rejected, unknown_property: EXIT.rejected, validation_failed: EXIT.rejected, bad_query: EXIT.rejected,
};

export function createMasterApi(target: MasterTarget, fetchImpl: typeof fetch = fetch) {
  const base = target.url.replace(/\/+$/, '');

  async function request(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { [UI_CLIENT_HEADER]: 'cli' };
    if (target.token) headers.authorization = `Bearer ${target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new MasterApiError(`cannot reach the master at ${base} (${cause})`, EXIT.failed);
    }
    if (res.ok) return res;
    const text = await res.text();
    let parsed: z.infer<typeof apiErrorBody> | undefined;
    try {
      const result = apiErrorBody.safeParse(JSON.parse(text));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed) throw new MasterApiError(`${method} ${path}: the master answered ${res.status} ${text.slice(0, 200)}`, EXIT.failed);
    throw new MasterApiError(parsed.error, EXIT_BY_CODE[parsed.code] ?? EXIT.failed, parsed.code);
  }

  async function json<T extends z.ZodType>(res: Response, schema: T, what: string): Promise<z.infer<T>> {
    const result = schema.safeParse(await res.json().catch(() => undefined));
    if (!result.success) throw new MasterApiError(`${what}: the master's answer is not what this CLI expects (another version?): ${result.error.issues[0]?.message ?? ''}`, EXIT.failed);
    return result.data;
  }

  return {
    get: async <T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> => json(await request('GET', path), schema, `GET ${path}`),
    post: async <T extends z.ZodType>(path: string, body: unknown, schema: T): Promise<z.infer<T>> => json(await request('POST', path, body), schema, `POST ${path}`),
    /** The raw answer (text, or a stream to read). */
    raw: (path: string, signal?: AbortSignal): Promise<Response> => request('GET', path, undefined, signal),
  };
}
export type MasterApi = ReturnType<typeof createMasterApi>;
