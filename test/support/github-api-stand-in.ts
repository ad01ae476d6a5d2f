// A local stand-in for the GitHub REST API, for tests. It serves only the operations gatehouse
// calls, and checks every request it receives and every response it sends against GitHub's
// official OpenAPI description (@octokit/openapi): a request that does not match gets a 422 and
// is recorded, so `close()` (or `assertNoValidationErrors()`) fails the test.
//
//   const gh = await startGitHubStandIn({ repos: { 'acme/widgets': { pulls: [{ number: 1, head: { sha } }] } } });
//   const client = createGitHubClient({ apiUrl: gh.url, token: 't' });
//   ... gh.statuses, gh.requests, gh.failNext('POST', '/repos/{owner}/{repo}/statuses/{sha}', { status: 500 })
//   ... gh.failNext('GET', '/repos/{owner}/{repo}/commits/{ref}', { waitFor: released }) (a slow answer)
//   await gh.close();
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationValidator, type OperationValidator } from './github-openapi-operation.js';
import { AuthState, type AppInput, type TokenKind } from './github-stand-in-auth.js';
import { errorBody } from './github-stand-in-bodies.js';
import { routes, type Reply, type Route } from './github-stand-in-handlers.js';
import { GitHubState, type OrgInput, type RecordedStatus, type RepoInput } from './github-stand-in-state.js';
import { faultReply, FaultList, type Fault } from './github-stand-in-faults.js';

export type { Fault } from './github-stand-in-faults.js';
export type { PullInput, RepoInput, OrgInput, Permission, RecordedStatus } from './github-stand-in-state.js';
export { GitHubState } from './github-stand-in-state.js';

export interface StandInOptions {
  /** "owner/name" → pull requests, collaborators, commit messages. */
  repos?: Record<string, RepoInput>;
  /** org → members. */
  orgs?: Record<string, OrgInput | string[]>;
  /** When given, only these tokens (and installation tokens issued here) are accepted; others get 401. Default: any. */
  tokens?: string[];
  /** A GitHub App whose JWTs are accepted at POST /app/installations/{id}/access_tokens. */
  app?: AppInput;
  /** Answer each request this much later (real GitHub takes 100–300 ms); default at once. */
  latencyMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The operation id from the description ("repos/create-commit-status"), if the route is known. */
  operationId?: string;
  /** Request headers; the authorization value is replaced by "[redacted]". */
  headers: Record<string, string>;
  body: unknown;
  tokenPresented: boolean;
  tokenKind: TokenKind;
  /** The status the stand-in answered with. */
  status?: number;
  /** When the request arrived (Date.now()). */
  receivedAt: number;
}

export interface GitHubStandIn {
  url: string;
  state: GitHubState;
  requests: RecordedRequest[];
  statuses: RecordedStatus[];
  /** Everything that did not match the description, one line each. */
  validationErrors: string[];
  /** The next `times` requests matching method and path fail as described (see Fault). */
  failNext(method: string, pathPattern: string | RegExp, fault: Fault, times?: number): void;
  /** Throws when a validation error occurred. */
  assertNoValidationErrors(): void;
  /** Returns the validation errors so far and forgets them (for tests that provoke one on purpose). */
  takeValidationErrors(): string[];
  /** The most requests that were in flight at once (received, not yet answered). */
  readonly maxInFlight: number;
  /** Stops the server (once; later calls only check), then throws if any validation error was left. */
  close(): Promise<void>;
}

interface CompiledRoute {
  route: Route;
  validator: OperationValidator;
}

let compiled: CompiledRoute[] | undefined;
function compiledRoutes(): CompiledRoute[] {
  compiled ??= routes.map((route) => ({ route, validator: operationValidator(route.method, route.template) }));
  return compiled;
}

const MAX_BODY = 1024 * 1024;

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  const state = new GitHubState();
  for (const [name, repo] of Object.entries(options.repos ?? {})) state.addRepo(name, repo);
  for (const [org, input] of Object.entries(options.orgs ?? {})) state.addOrg(org, Array.isArray(input) ? { members: input } : input);
  const auth = new AuthState(options.tokens, options.app);
  const faults = new FaultList();
  const requests: RecordedRequest[] = [];
  const statuses: RecordedStatus[] = [];
  const validationErrors: string[] = [];
  let baseUrl = '';
  let requestCount = 0;

  const handle = (req: http.IncomingMessage, rawBody: string, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const fail = (message: string) => validationErrors.push(`${method} ${url.pathname}: ${message}`);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, k === 'authorization' ? '[redacted]' : String(v)]));
    const credentials = auth.classify(req.headers.authorization);
    const match = compiledRoutes()
      .filter((c) => c.route.method === method)
      .map((c) => ({ c, groups: c.validator.pathPattern.exec(url.pathname)?.groups }))
      .find((m) => m.groups);
    let parsedBody: unknown = rawBody;
    try {
      parsedBody = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      // kept as text; the validator reports it
    }
    const record: RecordedRequest = {
      method, path: url.pathname, query: Object.fromEntries(url.searchParams), operationId: match?.c.validator.operationId,
      headers, body: parsedBody, tokenPresented: credentials.kind !== 'none', tokenKind: credentials.kind, receivedAt: Date.now(),
    };
    requests.push(record);
    const send = (reply: Reply, validator?: OperationValidator) => {
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      const contentType = text ? 'application/json; charset=utf-8' : undefined;
      if (validator) for (const error of validator.checkResponse(reply.status, contentType, text ? JSON.parse(text) : undefined)) fail(error);
      record.status = reply.status;
      res.writeHead(reply.status, {
        ...(contentType ? { 'content-type': contentType } : {}),
        'x-github-request-id': `STANDIN:${++requestCount}`,
        'x-github-api-version-selected': '2022-11-28',
        ...reply.headers,
      });
      res.end(text);
    };

    if (!match?.groups) {
      fail('no operation of the stand-in matches (is the endpoint implemented and the path right?)');
      send({ status: 404, body: errorBody(404, 'Not Found') });
      return;
    }
    const { route, validator } = match.c;
    const pathParams = Object.fromEntries(Object.entries(match.groups).map(([k, v]) => [k, decodeURIComponent(v)]));
    const checked = validator.checkRequest({ pathParams, query: url.searchParams, headers: req.headers, rawBody });
    if (checked.errors.length > 0) {
      for (const error of checked.errors) fail(`request does not match ${validator.operationId}: ${error}`);
      send({ status: 422, body: { message: 'Validation Failed (GitHub stand-in: request does not match the OpenAPI description)', errors: checked.errors, documentation_url: 'https://docs.github.com/rest' } });
      return;
    }
    const fault = faults.take(method, route.template, url.pathname);
    const dropConnection = () => {
      record.status = 0;
      req.socket.destroy();
    };
    /** Answers a request the way GitHub would; with `loseAnswer`, does it and closes the connection instead. */
    const carryOut = (loseAnswer: boolean): void => {
      const refused = route.appJwt ? undefined : auth.refuse(credentials);
      if (refused) {
        send(refused, validator);
        return;
      }
      const reply = route.handle({ params: checked.params, query: checked.query, body: checked.body, state, statuses, baseUrl, path: url.pathname, auth, credentials });
      if (loseAnswer) return dropConnection(); // done, but the client never hears of it
      if (reply.violation) {
        fail(reply.violation);
        send(reply);
        return;
      }
      send(reply, validator);
    };
    if (fault && 'disconnect' in fault) return dropConnection();
    if (fault && 'waitFor' in fault) {
      const answer = () => {
        try {
          if (!res.destroyed) carryOut(false);
        } catch (error) {
          validationErrors.push(`${method} ${url.pathname}: stand-in crashed: ${(error as Error).stack ?? String(error)}`);
          res.destroy();
        }
      };
      void fault.waitFor.then(answer, answer);
      return;
    }
    if (fault && !('loseAnswer' in fault)) {
      send(faultReply(fault), validator);
      return;
    }
    carryOut(fault !== undefined);
  };

  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      res.on('close', () => inFlight--);
      const answer = () => {
        try {
          handle(req, Buffer.concat(chunks).toString('utf8'), res);
        } catch (error) {
          validationErrors.push(`${req.method} ${req.url}: stand-in crashed: ${(error as Error).stack ?? String(error)}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(errorBody(500, 'stand-in crashed')));
        }
      };
      if (options.latencyMs) setTimeout(answer, options.latencyMs);
      else answer();
    });
  });
  compiledRoutes(); // reads the description (once per process); validators compile on first use
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const assertNoValidationErrors = () => {
    if (validationErrors.length > 0) throw new Error(`GitHub stand-in: ${validationErrors.length} request(s) or response(s) did not match GitHub's OpenAPI description:\n  ${validationErrors.join('\n  ')}`);
  };
  return {
    url: baseUrl,
    state,
    requests,
    statuses,
    validationErrors,
    get maxInFlight() {
      return maxInFlight;
    },
    failNext: (method, pathPattern, fault, times = 1) => faults.add(method, pathPattern, fault, times),
    assertNoValidationErrors,
    takeValidationErrors: () => validationErrors.splice(0, validationErrors.length),
    async close() {
      if (server.listening) {
        server.closeAllConnections();
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      }
      assertNoValidationErrors();
    },
  };
}
