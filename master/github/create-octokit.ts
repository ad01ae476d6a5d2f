// An Octokit for the master: token or GitHub App auth, retries of server errors with backoff, and
// waits on GitHub's rate limits (primary: until the reset; secondary: retry-after), each a bounded
// number of times. Everything Octokit logs goes through the given logger, masked, and without
// request options (which carry the authorization header).
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { createAppAuth } from '@octokit/auth-app';
import Bottleneck from 'bottleneck';
import { maskSecrets } from '../../shared/mask-secrets.js';

export type GitHubAuth =
  | { apiUrl: string; token: string }
  | { apiUrl: string; app: { appId: number; privateKey: string; installationId: number } };

export interface GitHubLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export interface GitHubClientOptions {
  /** Where retries and rate-limit waits are reported (default: warnings to the console, no debug). */
  logger?: GitHubLogger;
  /** Retries of a request that got a 5xx or no response (default 3; waits 1, 4, 9 wait units). */
  retries?: number;
  /** Retries after a primary or secondary rate limit (default 2). */
  rateLimitRetries?: number;
  /** A rate limit that resets later than this (seconds) is not waited for; the error says when (default 120). */
  maxRateLimitWaitSeconds?: number;
  /** How many ms one second of a wait GitHub asks for (or of backoff) lasts (default 1000; tests use ~1). */
  waitUnitMs?: number;
  /** Least time between two writes such as statuses, GitHub's advice against secondary limits (default 1000 ms). */
  writeIntervalMs?: number;
  /** Give up on a request that has not answered after this long, then retry it (default 30000 ms). */
  timeoutMs?: number;
}

const GatehouseOctokit = Octokit.plugin(retry, throttling);
export type GatehouseOctokit = InstanceType<typeof GatehouseOctokit>;

const consoleLogger: GitHubLogger = { debug: () => {}, warn: (message) => console.warn(message) };

/**
 * plugin-throttling spaces writes with a Bottleneck group shared by the whole process (1 s apart).
 * This stands in for that group with the interval we want: one write at a time, `intervalMs` apart.
 */
function writeSpacing(intervalMs: number): NonNullable<ThrottlingOptions['write']> {
  let queue: Promise<void> = Promise.resolve();
  let lastStart = 0;
  const limiter = {
    schedule<T>(_options: unknown, job: () => Promise<T>): Promise<T> {
      const turn = queue.then(async () => {
        const wait = lastStart + intervalMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        lastStart = Date.now();
      });
      queue = turn;
      return turn.then(job);
    },
  };
  return { key: () => limiter } as unknown as NonNullable<ThrottlingOptions['write']>;
}

/**
 * Requests in flight at once, for every client in the process. plugin-throttling's own limit is 10:
 * at GitHub's 100–300 ms per call that caps all of the master's calls (lookups, statuses, check
 * runs) at 33–100 a second, and fewer than the 16 changes the triggers decide at once could wait
 * on GitHub together. GitHub allows 100 concurrent requests; this keeps well under that.
 */
export const MAX_CONCURRENT_REQUESTS = 32;
const requestsInFlight = new Bottleneck.Group({ id: 'gatehouse-github', maxConcurrent: MAX_CONCURRENT_REQUESTS });

/** Secrets this auth holds, for masking. */
export function authSecrets(auth: GitHubAuth): string[] {
  return 'token' in auth ? [auth.token] : [auth.app.privateKey];
}

export function createOctokit(auth: GitHubAuth, options: GitHubClientOptions = {}): GatehouseOctokit {
  const logger = options.logger ?? consoleLogger;
  const secrets = authSecrets(auth);
  const say = (level: keyof GitHubLogger) => (message: unknown) => logger[level](maskSecrets(String(message), secrets));
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retrying = retryCount < rateLimitRetries && retryAfter <= maxWait;
    logger.warn(`GitHub ${kind} rate limit on ${request.method} ${request.url}: ${retrying ? `retrying in ${retryAfter}s` : 'giving up'} (attempt ${retryCount + 1})`);
    return retrying;
  };
  return new GatehouseOctokit({
    baseUrl: auth.apiUrl.replace(/\/+$/, ''),
    userAgent: 'gatehouse',
    ...('token' in auth ? { auth: auth.token } : { authStrategy: createAppAuth, auth: { ...auth.app } }),
    // Octokit's debug line carries the request options (with the authorization header); only the
    // message goes on. Its error lines repeat what the caller gets thrown, so they are debug too.
    log: { debug: () => {}, info: say('debug'), warn: say('warn'), error: say('debug') },
    request: {
      fetch: (url: string | URL, init: RequestInit = {}) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
      },
    },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: options.waitUnitMs ?? 1000,
      // Rate limits (403, 429) are the throttling plugin's; the rest of 4xx will not change on a retry.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: options.waitUnitMs ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
      write: writeSpacing(options.writeIntervalMs ?? 1000),
      // Not in the plugin's option type, but read as the others are (its state takes `global` from
      // these options before its own group): github-concurrency.test.ts sees that it holds.
      ...{ global: requestsInFlight },
    },
  });
}
