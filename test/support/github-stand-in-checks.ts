// The stand-in's check runs and issue comments: what a GitHub App's check reporter and the pull
// request comment post. Check runs, as on GitHub, take only an App installation token (a personal
// token gets 403); GitHub's own rules beyond the description (a completed run needs a conclusion,
// an annotation's lines must be in order) are checked and broken ones recorded as violations.
import { specExample } from './github-openapi.js';
import { errorBody, idOf, userBody } from './github-stand-in-bodies.js';
import type { HandlerContext, Reply, Route } from './github-stand-in-handlers.js';
import { paginate } from './github-stand-in-handlers.js';

type Json = Record<string, any>; // bodies are checked against the description before they are sent

export interface AnnotationInput {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunState {
  id: number;
  repo: string;
  headSha: string;
  name: string;
  externalId: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  detailsUrl: string | null;
  startedAt: string | null;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation posted to the run, appended as GitHub does. */
  annotations: AnnotationInput[];
  /** Each status the run was given, in order (created with, then each update's). */
  history: string[];
}

export interface CommentState {
  id: number;
  repo: string;
  issue: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
  /** How often it was edited. */
  edits: number;
}

/** Kept by GitHubState: every check run and comment, by id. */
export class ChecksState {
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly comments = new Map<number, CommentState>();
  private nextId = 1000;

  newId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  /** The check runs of a repository's commit, oldest first. */
  runsOf(repo: string, sha: string): CheckRunState[] {
    return [...this.checkRuns.values()].filter((r) => r.repo.toLowerCase() === repo.toLowerCase() && r.headSha === sha);
  }

  /** The comments on an issue or pull request, oldest first. */
  commentsOn(repo: string, issue: number): CommentState[] {
    return [...this.comments.values()].filter((c) => c.repo.toLowerCase() === repo.toLowerCase() && c.issue === issue);
  }
}

const repoName = (p: Record<string, unknown>) => `${String(p.owner)}/${String(p.repo)}`;
const notFound = (): Reply => ({ status: 404, body: errorBody(404, 'Not Found') });
const nodeId = (kind: string, id: number) => Buffer.from(`${kind}${id}`).toString('base64');

function checkRunBody(run: CheckRunState, appId: number): Json {
  const template = specExample<Json>('check-run');
  return {
    ...template,
    id: run.id,
    node_id: nodeId('08:CheckRun', run.id),
    head_sha: run.headSha,
    external_id: run.externalId,
    url: `https://api.github.com/repos/${run.repo}/check-runs/${run.id}`,
    html_url: `https://github.com/${run.repo}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `https://api.github.com/repos/${run.repo}/check-runs/${run.id}/annotations` },
    name: run.name,
    check_suite: { id: idOf(`suite:${run.repo}:${run.headSha}`) },
    app: { ...template.app, id: appId },
    pull_requests: [],
  };
}

function commentBody(c: CommentState): Json {
  return {
    ...specExample<Json>('issue-comment'),
    id: c.id,
    node_id: nodeId('012:IssueComment', c.id),
    url: `https://api.github.com/repos/${c.repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `https://api.github.com/repos/${c.repo}/issues/${c.issue}`,
    body: c.body,
    user: userBody(c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  };
}

interface CheckRunFields {
  name?: string;
  head_sha?: string;
  external_id?: string;
  details_url?: string;
  status?: CheckRunState['status'];
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: AnnotationInput[] };
}

/** GitHub's rules beyond the description, or undefined when the fields keep them. */
function ruleBroken(run: Pick<CheckRunState, 'status' | 'conclusion'>, fields: CheckRunFields): string | undefined {
  if (run.status === 'completed' && !run.conclusion) return 'a completed check run needs a conclusion';
  const bad = fields.output?.annotations?.find((a) => a.end_line < a.start_line || a.start_line < 1);
  if (bad) return `annotation ${bad.path}:${bad.start_line}-${bad.end_line} has its lines out of order`;
  return undefined;
}

/** Apply `fields` to `run` as GitHub does: a conclusion completes the run, annotations append. */
function apply(run: CheckRunState, fields: CheckRunFields, now: string): void {
  if (fields.details_url !== undefined) run.detailsUrl = fields.details_url;
  if (fields.status) run.status = fields.status;
  if (fields.conclusion) {
    run.conclusion = fields.conclusion;
    run.status = 'completed';
  }
  if (fields.started_at) run.startedAt = fields.started_at;
  if (run.status === 'completed') run.completedAt = fields.completed_at ?? run.completedAt ?? now;
  if (fields.output) {
    run.output = { title: fields.output.title ?? run.output.title, summary: fields.output.summary ?? run.output.summary, text: fields.output.text ?? run.output.text };
    run.annotations.push(...(fields.output.annotations ?? []));
  }
  run.history.push(run.status);
}

/** Apply `fields` to (a copy of) the run and keep it, unless that breaks one of GitHub's rules (422). */
function applyAndKeep(ctx: HandlerContext, run: CheckRunState, fields: CheckRunFields, now: string, status: 200 | 201): Reply {
  apply(run, fields, now);
  const broken = ruleBroken(run, fields);
  if (broken) return { status: 422, body: errorBody(422, broken), violation: broken };
  ctx.state.checks.checkRuns.set(run.id, run);
  return { status, body: checkRunBody(run, ctx.auth.appId) };
}

/** Check runs are for GitHub Apps: anything but an installation token is refused as GitHub does. */
function notAnApp(ctx: HandlerContext): Reply | undefined {
  if (ctx.credentials.kind === 'installation') return undefined;
  return { status: 403, body: errorBody(403, 'You must authenticate via a GitHub App.', 'https://docs.github.com/rest/checks/runs') };
}

const findRun = (ctx: HandlerContext) => {
  const run = ctx.state.checks.checkRuns.get(Number(ctx.params.check_run_id));
  return run && run.repo.toLowerCase() === repoName(ctx.params).toLowerCase() ? run : undefined;
};

export const checkRoutes: Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/check-runs',
    handle(ctx) {
      const refused = notAnApp(ctx);
      if (refused) return refused;
      const fields = ctx.body as CheckRunFields & { name: string; head_sha: string };
      const now = ctx.state.now();
      const run: CheckRunState = {
        id: ctx.state.checks.newId(), repo: repoName(ctx.params), headSha: fields.head_sha, name: fields.name, externalId: fields.external_id ?? '',
        status: 'queued', conclusion: null, detailsUrl: null, startedAt: now, completedAt: null, output: { title: null, summary: null, text: null }, annotations: [], history: [],
      };
      return applyAndKeep(ctx, run, fields, now, 201);
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    handle(ctx) {
      const refused = notAnApp(ctx);
      if (refused) return refused;
      const run = findRun(ctx);
      if (!run) return notFound();
      return applyAndKeep(ctx, structuredClone(run), ctx.body as CheckRunFields, ctx.state.now(), 200);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    handle(ctx) {
      const refused = notAnApp(ctx);
      if (refused) return refused;
      const { check_name: name } = ctx.query as { check_name?: string };
      const runs = ctx.state.checks.runsOf(repoName(ctx.params), String(ctx.params.ref)).filter((r) => name === undefined || r.name === name).reverse();
      const { page, headers } = paginate(runs, ctx);
      return { status: 200, body: { total_count: runs.length, check_runs: page.map((r) => checkRunBody(r, ctx.auth.appId)) }, headers };
    },
  },
];

export const commentRoutes: Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle(ctx) {
      const now = ctx.state.now();
      const c: CommentState = {
        id: ctx.state.checks.newId(), repo: repoName(ctx.params), issue: Number(ctx.params.issue_number), body: (ctx.body as { body: string }).body,
        user: 'gatehouse-bot', createdAt: now, updatedAt: now, edits: 0,
      };
      ctx.state.checks.comments.set(c.id, c);
      return { status: 201, body: commentBody(c), headers: { location: `https://api.github.com/repos/${c.repo}/issues/comments/${c.id}` } };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handle(ctx) {
      const c = ctx.state.checks.comments.get(Number(ctx.params.comment_id));
      if (!c || c.repo.toLowerCase() !== repoName(ctx.params).toLowerCase()) return notFound();
      c.body = (ctx.body as { body: string }).body;
      c.updatedAt = ctx.state.now();
      c.edits += 1;
      return { status: 200, body: commentBody(c) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle(ctx) {
      const { page, headers } = paginate(ctx.state.checks.commentsOn(repoName(ctx.params), Number(ctx.params.issue_number)), ctx);
      return { status: 200, body: page.map(commentBody), headers };
    },
  },
];
