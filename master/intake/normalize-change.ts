// Webhook payloads are validated here, at the edge, for the fields gatehouse reads; everything
// else in them is ignored. A payload missing a field we need is a 400, not a crash later.
import { z } from 'zod';
import type { Change } from './change.js';

const user = z.object({ login: z.string() });
const repository = z.object({ full_name: z.string(), clone_url: z.string() });

const pullRequestPayload = z.object({
  action: z.string(),
  number: z.number(),
  label: z.object({ name: z.string() }).optional(),
  repository,
  pull_request: z.object({
    title: z.string(),
    draft: z.boolean().optional(),
    user,
    author_association: z.string(),
    labels: z.array(z.object({ name: z.string() })).default([]),
    head: z.object({ sha: z.string(), ref: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
    base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }) }),
  }),
});

const issueCommentPayload = z.object({
  action: z.string(),
  repository,
  issue: z.object({ number: z.number(), pull_request: z.object({ url: z.string() }).optional(), user, title: z.string() }),
  comment: z.object({ body: z.string(), user, author_association: z.string() }),
});

const pushPayload = z.object({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean().default(false),
  repository,
  pusher: z.object({ name: z.string() }).optional(),
  sender: user.optional(),
  head_commit: z.object({ message: z.string() }).nullable().optional(),
  commits: z.array(z.object({ added: z.array(z.string()).default([]), modified: z.array(z.string()).default([]), removed: z.array(z.string()).default([]) })).default([]),
});

const app = z.object({ id: z.number() }).nullable().optional();
const checkRunPayload = z.object({
  action: z.string(),
  repository,
  sender: user,
  check_run: z.object({ head_sha: z.string(), external_id: z.string().nullable().optional(), app }),
});
const checkSuitePayload = z.object({ action: z.string(), repository, sender: user, check_suite: z.object({ head_sha: z.string(), app }) });

const HANDLED_PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'ready_for_review', 'labeled', 'closed']);

export type Normalized = { kind: 'change'; change: Change } | { kind: 'ignored'; reason: string; repo?: string; pr?: number; action?: string };

const blank = { pr: null, sha: null, ref: null, baseRef: null, headRepo: null, author: null, authorAssociation: null, title: null, draft: false, labels: [], label: null, headCommitMessage: null, changedFiles: null, comment: null } satisfies Partial<Change>;

export class PayloadError extends Error {}

function parse<T>(schema: z.ZodType<T>, event: string, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new PayloadError(`${event} payload: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return result.data;
}

/** Turn a webhook into a Change, or say why it is ignored. Throws PayloadError on a bad payload. */
export function normalizeChange(event: string, body: unknown): Normalized {
  if (event === 'pull_request') {
    const p = parse(pullRequestPayload, event, body);
    const pr = p.pull_request;
    if (!HANDLED_PR_ACTIONS.has(p.action)) return { kind: 'ignored', reason: `action ${p.action} does not start builds`, repo: p.repository.full_name, pr: p.number, action: p.action };
    return {
      kind: 'change',
      change: {
        ...blank,
        kind: 'pull_request', event, action: p.action,
        repo: p.repository.full_name, cloneUrl: p.repository.clone_url,
        pr: p.number, sha: pr.head.sha, ref: `refs/pull/${p.number}/head`, baseRef: pr.base.ref,
        headRepo: pr.head.repo?.full_name ?? null,
        author: pr.user.login, authorAssociation: pr.author_association,
        title: pr.title, draft: pr.draft ?? false, labels: pr.labels.map((l) => l.name),
        label: p.label?.name ?? null,
      },
    };
  }
  if (event === 'issue_comment') {
    const p = parse(issueCommentPayload, event, body);
    if (p.action !== 'created') return { kind: 'ignored', reason: `comment ${p.action}`, repo: p.repository.full_name, pr: p.issue.number, action: p.action };
    if (!p.issue.pull_request) return { kind: 'ignored', reason: 'comment on an issue, not a pull request', repo: p.repository.full_name, action: p.action };
    return {
      kind: 'change',
      change: {
        ...blank,
        kind: 'comment', event, action: p.action,
        repo: p.repository.full_name, cloneUrl: p.repository.clone_url,
        pr: p.issue.number, ref: `refs/pull/${p.issue.number}/head`, title: p.issue.title,
        comment: { body: p.comment.body, author: p.comment.user.login, association: p.comment.author_association },
      },
    };
  }
  if (event === 'push') {
    const p = parse(pushPayload, event, body);
    if (p.deleted || /^0+$/.test(p.after)) return { kind: 'ignored', reason: `${p.ref} deleted`, repo: p.repository.full_name };
    const files = new Set(p.commits.flatMap((c) => [...c.added, ...c.modified, ...c.removed]));
    return {
      kind: 'change',
      change: {
        ...blank,
        kind: 'push', event, action: null,
        repo: p.repository.full_name, cloneUrl: p.repository.clone_url,
        sha: p.after, ref: p.ref, baseRef: p.ref.replace(/^refs\/(heads|tags)\//, ''),
        author: p.sender?.login ?? p.pusher?.name ?? null,
        headCommitMessage: p.head_commit?.message ?? null,
        changedFiles: [...files],
      },
    };
  }
  if (event === 'check_run' || event === 'check_suite') {
    // GitHub's Re-run buttons; other actions (created, completed...) echo what this CI posted.
    const p = event === 'check_run' ? parse(checkRunPayload, event, body) : parse(checkSuitePayload, event, body);
    if (p.action !== 'rerequested') return { kind: 'ignored', reason: `${event} ${p.action} does not start builds`, repo: p.repository.full_name, action: p.action };
    const check = 'check_run' in p ? p.check_run : p.check_suite;
    const externalId = 'check_run' in p ? p.check_run.external_id : null;
    return {
      kind: 'change',
      change: {
        ...blank,
        kind: 'rerun', event, action: p.action,
        repo: p.repository.full_name, cloneUrl: p.repository.clone_url, sha: check.head_sha,
        rerun: { by: p.sender.login, appId: check.app?.id ?? null, scope: event === 'check_run' ? 'run' : 'suite', buildId: externalId && /^\d+$/.test(externalId) ? Number(externalId) : null },
      },
    };
  }
  const about = describeDelivery(body);
  return { kind: 'ignored', reason: event === 'ping' ? 'ping' : `event ${event} is not handled`, ...about };
}

const anyDelivery = z.object({
  action: z.string().optional().catch(undefined),
  repository: z.object({ full_name: z.string() }).optional().catch(undefined),
}).passthrough();

/** The repository and action of any delivery, for the deliveries log; absent fields stay absent. */
function describeDelivery(body: unknown): { repo?: string; action?: string } {
  const parsed = anyDelivery.safeParse(body);
  if (!parsed.success) return {};
  return {
    ...(parsed.data.repository ? { repo: parsed.data.repository.full_name } : {}),
    ...(parsed.data.action ? { action: parsed.data.action } : {}),
  };
}
