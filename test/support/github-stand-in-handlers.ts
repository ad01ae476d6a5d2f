// One handler per GitHub operation the stand-in serves, keyed by the OpenAPI path template. A
// handler sees parameters already checked (and typed) against the description and the state; it
// answers with a status, a body and headers, which the server checks again before sending.
import { commitBody, diffEntryBody, errorBody, fullRepoBody, hookBody, permissionBody, pullBody, pullSimpleBody, statusBody } from './github-stand-in-bodies.js';
import type { GitHubState, PullState, RecordedStatus } from './github-stand-in-state.js';
import type { AuthState, Credentials } from './github-stand-in-auth.js';
import { checkRoutes, commentRoutes } from './github-stand-in-checks.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A rule GitHub enforces beyond the description was broken: recorded as a validation error. */
  violation?: string;
}

export interface HandlerContext {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  state: GitHubState;
  statuses: RecordedStatus[];
  /** The stand-in's own base URL, for Link and Location headers. */
  baseUrl: string;
  /** The request path, without the query. */
  path: string;
  auth: AuthState;
  credentials: Credentials;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  template: string;
  /** Authenticated by an App JWT instead of a token. */
  appJwt?: boolean;
  handle(ctx: HandlerContext): Reply;
}

const notFound = (): Reply => ({ status: 404, body: errorBody(404, 'Not Found') });
const repoName = (p: Record<string, unknown>) => `${String(p.owner)}/${String(p.repo)}`;
/** GitHub's own limit: at most 3000 files are listed for a pull request. */
const MAX_PULL_FILES = 3000;

function findPull(ctx: HandlerContext): PullState | undefined {
  return ctx.state.repos.get(repoName(ctx.params).toLowerCase())?.pulls.get(Number(ctx.params.pull_number));
}

/** One page of `items` with GitHub's Link header (per_page default 30, at most 100). */
export function paginate<T>(items: T[], ctx: HandlerContext): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(ctx.query.per_page ?? 30), 100);
  const page = Math.max(Number(ctx.query.page ?? 1), 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string) => {
    const url = new URL(ctx.path, ctx.baseUrl);
    for (const [k, v] of Object.entries(ctx.query)) url.searchParams.set(k, String(v));
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
}

export const routes: Route[] = [
  ...checkRoutes,
  ...commentRoutes,
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle(ctx) {
      const pull = findPull(ctx);
      return pull ? { status: 200, body: pullBody(repoName(ctx.params), pull) } : notFound();
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    handle(ctx) {
      const pull = findPull(ctx);
      if (!pull) return notFound();
      const files = pull.files.slice(0, MAX_PULL_FILES).map((f) => diffEntryBody(repoName(ctx.params), pull.head.sha, f));
      const { page, headers } = paginate(files, ctx);
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    handle(ctx) {
      const repo = ctx.state.repos.get(repoName(ctx.params).toLowerCase());
      if (!repo) return notFound();
      const { state = 'open', base, head, direction = 'desc' } = ctx.query as Record<string, string | undefined>;
      const pulls = [...repo.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => base === undefined || p.base.ref === base)
        .filter((p) => head === undefined || `${p.head.repo?.split('/')[0] ?? ''}:${p.head.ref}` === head)
        .sort((a, b) => (direction === 'asc' ? 1 : -1) * a.createdAt.localeCompare(b.createdAt));
      const { page, headers } = paginate(pulls, ctx);
      return { status: 200, body: page.map((p) => pullSimpleBody(repo.fullName, p)), headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    handle(ctx) {
      const login = String(ctx.params.username);
      const permission = ctx.state.repos.get(repoName(ctx.params).toLowerCase())?.collaborators.get(login.toLowerCase());
      return permission ? { status: 200, body: permissionBody(login, permission) } : notFound();
    },
  },
  {
    method: 'GET',
    template: '/orgs/{org}/members/{username}',
    handle(ctx) {
      const org = ctx.state.orgs.get(String(ctx.params.org).toLowerCase());
      const login = String(ctx.params.username);
      if (org && !org.requesterIsMember) {
        return { status: 302, headers: { location: new URL(`/orgs/${String(ctx.params.org)}/public_members/${login}`, ctx.baseUrl).href } };
      }
      // As described: 204 for a member, 404 (no body) otherwise.
      return { status: org?.members.has(login.toLowerCase()) ? 204 : 404 };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    handle(ctx) {
      const input = ctx.body as { state: RecordedStatus['state']; context?: string; description?: string | null; target_url?: string | null };
      // GitHub answers 422 "description is too long (maximum is 140 characters)".
      const length = [...(input.description ?? '')].length;
      if (length > 140) {
        return { status: 422, body: errorBody(422, 'Validation Failed'), violation: `description is ${length} characters; GitHub allows 140` };
      }
      const status: RecordedStatus = {
        repo: repoName(ctx.params),
        sha: String(ctx.params.sha),
        state: input.state,
        context: input.context ?? 'default',
        description: input.description ?? null,
        targetUrl: input.target_url ?? null,
        createdAt: ctx.state.now(),
      };
      ctx.statuses.push(status);
      const url = new URL(`/repos/${status.repo}/statuses/${status.sha}`, ctx.baseUrl).href;
      return { status: 201, body: statusBody(ctx.statuses.length, status, url), headers: { location: url } };
    },
  },
  // Before commits/{ref}: a ref may hold slashes, so that template would take this path too.
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/statuses',
    handle(ctx) {
      const repo = ctx.state.repos.get(repoName(ctx.params).toLowerCase());
      if (!repo || repo.tokenPermission === 'none') return notFound();
      const url = (s: RecordedStatus) => new URL(`/repos/${s.repo}/statuses/${s.sha}`, ctx.baseUrl).href;
      const mine = ctx.statuses.map((s, i) => ({ s, id: i + 1 })).filter(({ s }) => s.repo.toLowerCase() === repo.fullName.toLowerCase() && s.sha === String(ctx.params.ref)).reverse();
      const { page, headers } = paginate(mine.map(({ s, id }) => statusBody(id, s, url(s))), ctx);
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}',
    handle(ctx) {
      const sha = ctx.state.resolveCommit(repoName(ctx.params), String(ctx.params.ref));
      const message = sha === undefined ? undefined : ctx.state.repos.get(repoName(ctx.params).toLowerCase())?.commits.get(sha);
      return sha === undefined || message === undefined ? notFound() : { status: 200, body: commitBody(repoName(ctx.params), sha, message) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    handle(ctx) {
      const repo = ctx.state.repos.get(repoName(ctx.params).toLowerCase());
      return repo && repo.tokenPermission !== 'none' ? { status: 200, body: fullRepoBody(repo.fullName, repo.tokenPermission) } : notFound();
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/hooks',
    handle(ctx) {
      const repo = ctx.state.repos.get(repoName(ctx.params).toLowerCase());
      // GitHub hides a repository's hooks from anyone but its admins behind a 404.
      if (!repo || repo.tokenPermission !== 'admin') return notFound();
      const { page, headers } = paginate(repo.hooks.map((h, i) => hookBody(repo.fullName, i, h)), ctx);
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    appJwt: true,
    handle: (ctx) => ctx.auth.createInstallationToken(ctx.credentials, Number(ctx.params.installation_id)),
  },
];
