// Response bodies shaped like GitHub's: pull requests start from a real payload in
// @octokit/webhooks-examples, the rest from the examples in the OpenAPI description itself; then
// the fields the state decides are put in. The stand-in validates each one before sending it.
import { createRequire } from 'node:module';
import { specExample } from './github-openapi.js';
import type { HookInput, PullState, RecordedStatus, Permission } from './github-stand-in-state.js';

// Bodies are JSON built by hand and checked against the description, so `any` is enough here.
type Json = Record<string, any>;

let pullTemplate: Json | undefined;
function templatePull(): Json {
  if (!pullTemplate) {
    const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Json[] }>;
    const opened = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'opened');
    if (!opened) throw new Error('stand-in: no pull_request.opened example in @octokit/webhooks-examples');
    pullTemplate = opened.pull_request as Json;
  }
  return pullTemplate;
}

const clone = <T>(value: T): T => structuredClone(value);

/** A stable positive id from a name, so the same login or repo always gets the same id. */
export function idOf(text: string): number {
  let hash = 2166136261;
  for (const ch of text.toLowerCase()) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return (hash % 90_000_000) + 1_000_000;
}

const nodeId = (kind: string, id: number) => Buffer.from(`${kind}${id}`).toString('base64');

export function userBody(login: string): Json {
  const template = templatePull().user as Json;
  const user = JSON.parse(JSON.stringify(template).replaceAll(`/${template.login}`, `/${login}`)) as Json;
  const id = idOf(`user:${login}`);
  return { ...user, login, id, node_id: nodeId('04:User', id), avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4` };
}

export function repoBody(fullName: string, fork = false): Json {
  const template = templatePull().base.repo as Json;
  const [owner = '', name = ''] = fullName.split('/');
  const repo = JSON.parse(JSON.stringify(template).replaceAll(template.full_name, fullName)) as Json;
  const id = idOf(`repo:${fullName}`);
  return { ...repo, id, node_id: nodeId('010:Repository', id), name, full_name: fullName, owner: userBody(owner), fork };
}

function labelBody(fullName: string, name: string): Json {
  const id = idOf(`label:${fullName}:${name}`);
  return { id, node_id: nodeId('05:Label', id), url: `https://api.github.com/repos/${fullName}/labels/${encodeURIComponent(name)}`, name, color: 'ededed', default: false, description: `The ${name} label` };
}

function branchBody(fullName: string | null, base: string, ref: string, sha: string, fallbackOwner: string): Json {
  const owner = fullName?.split('/')[0] ?? fallbackOwner;
  return { label: `${owner}:${ref}`, ref, sha, user: userBody(owner), repo: fullName === null ? null : repoBody(fullName, fullName !== base) };
}

/** GET /repos/{owner}/{repo}/pulls/{pull_number}: the `pull-request` schema. */
export function pullBody(fullName: string, pull: PullState): Json {
  const template = templatePull();
  const text = JSON.stringify(template).replaceAll(`${template.base.repo.full_name}/pulls/${template.number}`, `${fullName}/pulls/${pull.number}`)
    .replaceAll(`${template.base.repo.full_name}/pull/${template.number}`, `${fullName}/pull/${pull.number}`)
    .replaceAll(`${template.base.repo.full_name}/issues/${template.number}`, `${fullName}/issues/${pull.number}`)
    .replaceAll(`${template.base.repo.full_name}/statuses/${template.head.sha}`, `${fullName}/statuses/${pull.head.sha}`)
    .replaceAll(template.base.repo.full_name, fullName);
  const body = JSON.parse(text) as Json;
  const id = idOf(`pull:${fullName}#${pull.number}`);
  const closed = pull.state === 'closed';
  return {
    ...body,
    id,
    node_id: nodeId('011:PullRequest', id),
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    user: userBody(pull.author),
    author_association: pull.authorAssociation,
    draft: pull.draft,
    labels: pull.labels.map((name) => labelBody(fullName, name)),
    head: branchBody(pull.head.repo, fullName, pull.head.ref, pull.head.sha, pull.author),
    base: branchBody(fullName, fullName, pull.base.ref, pull.base.sha, fullName),
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: closed ? pull.createdAt : null,
    auto_merge: null,
    merged: false,
    mergeable: closed ? null : true,
    mergeable_state: closed ? 'unknown' : 'clean',
    changed_files: pull.files.length,
  };
}

const FULL_ONLY = ['merged', 'mergeable', 'rebaseable', 'mergeable_state', 'merged_by', 'comments', 'review_comments', 'maintainer_can_modify', 'commits', 'additions', 'deletions', 'changed_files'];

/** GET /repos/{owner}/{repo}/pulls items: the `pull-request-simple` schema. */
export function pullSimpleBody(fullName: string, pull: PullState): Json {
  const body = pullBody(fullName, pull);
  for (const key of FULL_ONLY) delete body[key];
  return body;
}

let diffEntryTemplate: Json | undefined;
/** GET /repos/{owner}/{repo}/pulls/{pull_number}/files items: `diff-entry`. */
export function diffEntryBody(fullName: string, headSha: string, file: PullState['files'][number]): Json {
  diffEntryTemplate ??= specExample<Json[]>('diff-entry-items')[0];
  const template = diffEntryTemplate;
  const path = file.filename.split('/').map(encodeURIComponent).join('/');
  const entry: Json = {
    ...clone(template),
    sha: idOf(file.filename).toString(16).padStart(40, '0'),
    filename: file.filename,
    status: file.status ?? (file.previousFilename ? 'renamed' : 'modified'),
    blob_url: `https://github.com/${fullName}/blob/${headSha}/${path}`,
    raw_url: `https://github.com/${fullName}/raw/${headSha}/${path}`,
    contents_url: `https://api.github.com/repos/${fullName}/contents/${path}?ref=${headSha}`,
  };
  if (file.previousFilename) entry.previous_filename = file.previousFilename;
  return entry;
}

/** GET /repos/{owner}/{repo}/commits/{ref}: the `commit` schema. */
export function commitBody(fullName: string, sha: string, message: string): Json {
  const template = specExample<Json>('commit');
  const text = JSON.stringify(template).replaceAll(template.sha, sha).replaceAll('octocat/Hello-World', fullName);
  const body = JSON.parse(text) as Json;
  body.commit.message = message;
  // The example's file entries lack fields the schema requires; the stand-in knows no commit files.
  body.files = [];
  body.stats = { additions: 0, deletions: 0, total: 0 };
  return body;
}

/** POST /repos/{owner}/{repo}/statuses/{sha}: the `status` schema. */
export function statusBody(id: number, status: RecordedStatus, url: string): Json {
  return {
    ...clone(specExample<Json>('status')),
    id,
    node_id: nodeId('06:StatusContext', id),
    url,
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: userBody('gatehouse-bot'),
  };
}

const LEGACY_PERMISSION: Record<Permission, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read', none: 'none' };

/** GET /repos/{owner}/{repo}/collaborators/{username}/permission. */
export function permissionBody(login: string, permission: Permission): Json {
  const template = specExample<Json>('repository-collaborator-permission-response-if-user-has-admin-permissions');
  const user = { ...userBody(login), role_name: permission };
  return { ...clone(template), permission: LEGACY_PERMISSION[permission], role_name: permission, user };
}

/** POST /app/installations/{installation_id}/access_tokens. */
export function installationTokenBody(token: string, expiresAt: Date): Json {
  return {
    token,
    expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    permissions: { metadata: 'read', pull_requests: 'read', statuses: 'write', contents: 'read', members: 'read' },
    repository_selection: 'all',
  };
}

/** GitHub's error body: `{ message, documentation_url, status }`. */
export function errorBody(status: number, message: string, documentation = 'https://docs.github.com/rest'): Json {
  return { message, documentation_url: documentation, status: String(status) };
}

/** GET /repos/{owner}/{repo}: the `full-repository` schema, with what the token's owner may do. */
export function fullRepoBody(fullName: string, permission: Permission): Json {
  const template = specExample<Json>('full-repository');
  const [owner = '', name = ''] = fullName.split('/');
  const repo = JSON.parse(JSON.stringify(template).replaceAll(template.full_name, fullName)) as Json;
  const id = idOf(`repo:${fullName}`);
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(permission);
  return {
    ...repo, id, node_id: nodeId('010:Repository', id), name, full_name: fullName, owner: userBody(owner), default_branch: 'main', private: false, has_discussions: false,
    permissions: { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 },
  };
}

/** One item of GET /repos/{owner}/{repo}/hooks: the `hook` schema. */
export function hookBody(fullName: string, index: number, hook: HookInput): Json {
  const template = (specExample<Json[]>('hook-items')[0] ?? {}) as Json;
  const id = idOf(`hook:${fullName}:${index}`);
  const url = `https://api.github.com/repos/${fullName}/hooks/${id}`;
  return {
    ...clone(template), id, url, test_url: `${url}/test`, ping_url: `${url}/pings`, deliveries_url: `${url}/deliveries`,
    name: 'web', active: hook.active ?? true, events: hook.events ?? ['push'],
    config: { url: hook.url, content_type: hook.contentType ?? 'json', insecure_ssl: '0', ...(hook.secret === false ? {} : { secret: '********' }) },
  };
}
