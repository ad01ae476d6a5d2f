// The GitHub side of `gatehouse doctor`: can this CI's credentials see the repository, read its
// pull requests, create commit statuses, and is the repository's webhook set up to reach it.
import type { Config } from '../../shared/config.js';
import { createOctokit, type GatehouseOctokit } from '../../master/github/create-octokit.js';
import { githubAuthFromConfig } from '../../master/github/github-client.js';
import { ok, warn, fail, type CheckResult } from './doctor-check.js';

const WEBHOOK_PATH = '/change_hook/github';

/** What an Octokit failure means for the operator. */
function explain(error: unknown, apiUrl: string): { detail: string; status?: number } {
  const e = error as { status?: number; message?: string };
  if (typeof e.status !== 'number' || e.status === 500) return { detail: `cannot reach ${apiUrl}: ${e.message ?? String(error)}` };
  return { detail: `GitHub answered ${e.status}: ${e.message ?? ''}`.trim(), status: e.status };
}

/** Where GitHub must send webhooks for this config, when the config says. */
export function expectedHookUrl(config: Config): string | undefined {
  if (config.smee) return config.smee.url;
  return config.http.publicUrl ? `${config.http.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}` : undefined;
}

export async function githubChecks(config: Config): Promise<CheckResult[]> {
  const auth = githubAuthFromConfig(config.github);
  if (!auth) {
    return [warn('github: credentials', 'no github.token or github.app: no statuses will be posted and fork PRs cannot be checked for trust', 'set github.token: { env: "GH_TOKEN" } (classic scopes repo:status + public_repo, or fine-grained: Commit statuses write, Pull requests read, Metadata read)')];
  }
  const octokit = createOctokit(auth, { retries: 0, rateLimitRetries: 0, timeoutMs: 10_000, logger: { debug() {}, warn() {} } });
  const several = config.github.repos.length > 1;
  const results: CheckResult[] = [];
  for (const { repo } of config.github.repos) {
    const checks = await repositoryChecks(octokit, auth, repo, config);
    // With several repositories, each check names the one it is about.
    results.push(...(several ? checks.map((c) => ({ ...c, name: `${c.name} (${repo})` })) : checks));
  }
  return results;
}

async function repositoryChecks(octokit: GatehouseOctokit, auth: NonNullable<ReturnType<typeof githubAuthFromConfig>>, repoName: string, config: Config): Promise<CheckResult[]> {
  const [owner = '', repo = ''] = repoName.split('/');
  const results: CheckResult[] = [];

  let defaultBranch: string;
  let canPush: boolean | undefined;
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    defaultBranch = data.default_branch;
    canPush = data.permissions ? data.permissions.push || data.permissions.admin || data.permissions.maintain === true : undefined;
    results.push(ok('github: repository', `${data.full_name} is visible to ${'token' in auth ? 'the token' : 'the App installation'} (${data.private ? 'private' : 'public'})`));
  } catch (error) {
    const { detail, status } = explain(error, auth.apiUrl);
    const fix =
      status === 401 ? 'the token is wrong or expired: create a new one and update the secret'
      : status === 404 || status === 403 ? `check the repository "${repoName}" (github.repo or github.repos) and that the token's owner (or the App installation) has access to it`
      : `check github.apiUrl (${auth.apiUrl}) and this host's network`;
    return [fail('github: repository', detail, fix)];
  }

  results.push(await readCheck('github: pull requests', auth.apiUrl, () => octokit.rest.pulls.list({ owner, repo, state: 'open', per_page: 1 }), 'give the token Pull requests: read (fine-grained) or public_repo/repo (classic)'));
  const statuses = await readCheck('github: statuses', auth.apiUrl, () => octokit.rest.repos.listCommitStatusesForRef({ owner, repo, ref: defaultBranch, per_page: 1 }), 'give the token Commit statuses: read and write');
  if (statuses.status !== 'ok') results.push(statuses);
  else if (canPush === false) {
    results.push(fail('github: statuses', 'the token can read but not create commit statuses (it has no write access to the repository)', 'a classic token needs repo:status (and its owner write access); a fine-grained one Commit statuses: write'));
  } else if (canPush === undefined) {
    results.push(warn('github: statuses', 'readable; whether statuses can be created cannot be asked of GitHub for this credential', 'make sure the App has Commit statuses: write'));
  } else results.push(ok('github: statuses', 'readable, and the credential has write access to create them'));

  results.push(await webhookCheck(octokit, owner, repo, config, auth.apiUrl));
  return results;
}

async function readCheck(name: string, apiUrl: string, read: () => Promise<unknown>, fix: string): Promise<CheckResult> {
  try {
    await read();
    return ok(name, 'readable');
  } catch (error) {
    return fail(name, explain(error, apiUrl).detail, fix);
  }
}

async function webhookCheck(octokit: GatehouseOctokit, owner: string, repo: string, config: Config, apiUrl: string): Promise<CheckResult> {
  const name = 'github: webhook';
  const want = expectedHookUrl(config);
  const events = ['pull_request', 'issue_comment', ...(config.builders.some((b) => b.triggers.push !== false) ? ['push'] : [])];
  const byHand = `in the repository's Settings → Webhooks: payload URL ${want ?? `<your public URL>${WEBHOOK_PATH}`}, content type application/json, the webhook secret, events ${events.join(', ')}`;
  let hooks: Awaited<ReturnType<GatehouseOctokit['rest']['repos']['listWebhooks']>>['data'];
  try {
    hooks = (await octokit.rest.repos.listWebhooks({ owner, repo, per_page: 100 })).data;
  } catch (error) {
    const { detail, status } = explain(error, apiUrl);
    if (status === 403 || status === 404) return warn(name, `the credential may not read the repository's webhooks (${detail}); not checked`, `check it by hand ${byHand}`);
    return fail(name, detail);
  }
  const candidates = hooks.filter((h) => (want ? h.config.url === want : h.config.url?.endsWith(WEBHOOK_PATH) || h.config.url?.startsWith('https://smee.io/')));
  const hook = candidates[0];
  if (!hook) {
    const seen = hooks.map((h) => h.config.url).filter(Boolean).join(', ') || 'none';
    return fail(name, `no webhook ${want ? `to ${want}` : 'that reaches this CI'} (the repository has: ${seen})`, `add one ${byHand}`);
  }
  const problems: string[] = [];
  if (!hook.active) problems.push('it is inactive');
  if (hook.config.content_type !== 'json') problems.push(`content type is ${hook.config.content_type ?? 'form'}, not json`);
  if (!hook.config.secret) problems.push('no secret is set (deliveries would be unsigned and refused)');
  const missing = hook.events.includes('*') ? [] : events.filter((e) => !hook.events.includes(e));
  if (missing.length > 0) problems.push(`it does not send ${missing.join(', ')}`);
  if (problems.length > 0) return fail(name, `the webhook to ${hook.config.url}: ${problems.join('; ')}`, `edit it ${byHand}`);
  if (!want) return warn(name, `a webhook to ${hook.config.url} is set up; neither smee.url nor http.publicUrl says where it should point, so its URL was not compared`);
  return ok(name, `${hook.config.url}, json, secret set, events ${hook.events.join(', ')}`);
}
