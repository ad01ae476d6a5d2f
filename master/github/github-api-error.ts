// The one error the GitHub client throws. It carries what a caller needs to decide (status, whether
// to try again, and when) and nothing that could hold a secret: no request headers, no original
// error, and the message is masked with the client's secrets.
import { maskSecrets } from '../../shared/mask-secrets.js';

export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';

  constructor(
    message: string,
    /**
     * HTTP status. Octokit reports no answer at all (refused, reset, timed out) as 500; 0 means the
     * failure was not an HTTP one (a malformed repository name, an unusable App key).
     */
    readonly status: number,
    /** The client method and its target, e.g. `createStatus acme/widgets@1a2b3c4`. */
    readonly operation: string,
    /** When GitHub said to come back (rate-limit reset or retry-after), if it did. */
    readonly retryAt?: Date,
    /** GitHub's x-github-request-id, for a support request. */
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** Worth another try later: a server error, no answer, or a rate limit. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 429 || (this.status === 403 && this.retryAt !== undefined);
  }
}

interface ErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** What GitHub's headers say about when to retry: the primary limit's reset, or retry-after. */
function retryAtFrom(headers: Record<string, string | number | undefined> | undefined, now: number): Date | undefined {
  if (!headers) return undefined;
  if (String(headers['x-ratelimit-remaining']) === '0' && headers['x-ratelimit-reset'] !== undefined) {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return new Date(reset * 1000);
  }
  const retryAfter = Number(headers['retry-after']);
  return headers['retry-after'] !== undefined && Number.isFinite(retryAfter) ? new Date(now + retryAfter * 1000) : undefined;
}

/** Turn whatever Octokit threw into a GitHubApiError; `secrets` are masked out of the message. */
export function toGitHubApiError(error: unknown, operation: string, secrets: readonly string[]): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  const status = typeof e.status === 'number' && Number.isInteger(e.status) ? e.status : 0;
  const headers = e.response?.headers;
  const detail = maskSecrets(typeof e.message === 'string' ? e.message : String(error), secrets);
  const requestId = headers?.['x-github-request-id'];
  return new GitHubApiError(
    `GitHub ${operation} failed: ${status ? `${status} ` : ''}${detail}`,
    status,
    operation,
    retryAtFrom(headers, Date.now()),
    requestId === undefined ? undefined : String(requestId),
  );
}
