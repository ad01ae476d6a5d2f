import { describe, expect, it } from 'vitest';
import { GitHubApiError, toGitHubApiError } from '../../../master/github/github-api-error.js';

const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

describe('toGitHubApiError', () => {
  it('keeps status, request id and the message, masks secrets, and drops the rest', () => {
    const raw = Object.assign(new Error(`Bad credentials for ${TOKEN}`), {
      status: 401,
      request: { headers: { authorization: `token ${TOKEN}` } },
      response: { headers: { 'x-github-request-id': 'ABC:123' }, data: { token: TOKEN } },
    });
    const error = toGitHubApiError(raw, 'getPull acme/w#1', [TOKEN]);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ status: 401, operation: 'getPull acme/w#1', requestId: 'ABC:123', transient: false, retryAt: undefined });
    expect(error.message).toBe('GitHub getPull acme/w#1 failed: 401 Bad credentials for ***');
    expect(JSON.stringify(error) + String(error.stack) + String(error.cause)).not.toContain(TOKEN);
  });

  it('reads when to come back: the primary reset, or retry-after', () => {
    const primary = toGitHubApiError({ status: 403, message: 'API rate limit exceeded', response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2000000000' } } }, 'op', []);
    expect(primary).toMatchObject({ transient: true, retryAt: new Date(2_000_000_000_000) });
    const before = Date.now();
    const secondary = toGitHubApiError({ status: 429, message: 'secondary rate limit', response: { headers: { 'retry-after': '60' } } }, 'op', []);
    expect(secondary.transient).toBe(true);
    expect(secondary.retryAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('calls a plain 403 or a non-HTTP failure permanent, and a 5xx transient', () => {
    expect(toGitHubApiError({ status: 403, message: 'Resource not accessible by integration' }, 'op', []).transient).toBe(false);
    expect(toGitHubApiError({ status: 502, message: 'Bad Gateway' }, 'op', []).transient).toBe(true);
    expect(toGitHubApiError(new Error('Invalid keyData'), 'op', [])).toMatchObject({ status: 0, transient: false });
    expect(toGitHubApiError('weird', 'op', []).message).toBe('GitHub op failed: weird');
  });
});
