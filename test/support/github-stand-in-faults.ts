// Injected failures, shaped as GitHub sends them: server errors, the primary rate limit
// (x-ratelimit-remaining: 0 with the reset time), the secondary rate limit (retry-after), or a
// dropped connection.
import { errorBody } from './github-stand-in-bodies.js';
import type { Reply } from './github-stand-in-handlers.js';

export type Fault =
  /** A server error with GitHub's JSON error body. */
  | { status: 500 | 502 | 503 }
  /** Primary rate limit: remaining 0, reset at `rateLimitReset` (epoch seconds). */
  | { status: 403 | 429; rateLimitReset: number }
  /** Secondary rate limit: wait `retryAfter` seconds. */
  | { status: 403 | 429; retryAfter: number }
  /** The connection is closed without an answer. */
  | { disconnect: true }
  /** The request is carried out, then the connection is closed without an answer (the answer is lost). */
  | { loseAnswer: true }
  /** A slow GitHub: the request is carried out and answered normally once `waitFor` settles. */
  | { waitFor: Promise<unknown> };

interface Entry {
  method: string;
  pattern: string | RegExp;
  fault: Fault;
  remaining: number;
}

export class FaultList {
  private readonly entries: Entry[] = [];

  /**
   * `pattern` is an OpenAPI path template ("/repos/{owner}/{repo}/statuses/{sha}"), an exact path
   * ("/repos/acme/widgets/pulls/1"), or a RegExp over the path. `method` may be "*".
   */
  add(method: string, pattern: string | RegExp, fault: Fault, times: number): void {
    if (times < 1) throw new Error('failNext: times must be at least 1');
    this.entries.push({ method: method.toUpperCase(), pattern, fault, remaining: times });
  }

  /** The fault for this request, if any is left (each use counts down). */
  take(method: string, template: string, path: string): Fault | undefined {
    const entry = this.entries.find(
      (e) =>
        e.remaining > 0 &&
        (e.method === '*' || e.method === method.toUpperCase()) &&
        (typeof e.pattern === 'string' ? e.pattern === (e.pattern.includes('{') ? template : path) : e.pattern.test(path)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }
}

export function faultReply(fault: Exclude<Fault, { disconnect: true } | { loseAnswer: true } | { waitFor: Promise<unknown> }>): Reply {
  if ('rateLimitReset' in fault) {
    return {
      status: fault.status,
      body: errorBody(fault.status, 'API rate limit exceeded for installation ID 1.', 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'),
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(fault.rateLimitReset),
        'x-ratelimit-resource': 'core',
      },
    };
  }
  if ('retryAfter' in fault) {
    const message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID STANDIN.';
    return {
      status: fault.status,
      body: errorBody(fault.status, message, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'),
      headers: { 'retry-after': String(fault.retryAfter) },
    };
  }
  return { status: fault.status, body: errorBody(fault.status, fault.status === 500 ? 'Server Error' : 'Service Unavailable') };
}
