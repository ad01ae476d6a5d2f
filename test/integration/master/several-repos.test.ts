// One master serving several repositories (github.repos): each delivery, build, status and
// reconcile pass belongs to its repository, with that repository's settings; builders run for the
// repositories they name; any other repository is ignored with the reason. Real payloads
// (@octokit/webhooks-examples), the real GitHub client against the OpenAPI-validated stand-in.
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { postPrOpened } from '../../support/sign-webhook.js';
import { pullRequestEvent } from '../../support/pr-events.js';
import { startGitHubStandIn, type GitHubStandIn, type PullInput } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { buildsOf, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';
import { startCiCluster, allFinished, type CiCluster } from '../../support/ci-cluster.js';
import { createTestRepo } from '../../support/worker-git-repo.js';
import { makeTempDir } from '../../support/temp-dir.js';

const OTHER = 'octo-org/other-repo';
const step = [{ name: 'test', run: 'true' }];
const sha = (c: string) => c.repeat(40);

/** A real pull_request.opened of this repository's PR. */
const opened = (repo: string, number: number, head: string, edit?: (p: Record<string, any>) => void) => pullRequestEvent('opened', { repo, number, sha: head }, edit);

const github = (extra: Partial<ConfigInput['github']> = {}): ConfigInput['github'] => ({
  repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0,
  repos: [{ repo: OTHER, trust: { gate: false }, skip: ['[no ci]'] }], ...extra,
});

describe('several repositories per master', () => {
  let gh: GitHubStandIn | undefined;
  let master: ReportMaster | undefined;
  afterEach(async () => {
    await master?.stop();
    master = undefined;
    await gh?.close();
    gh = undefined;
  });

  async function start(builders: ConfigInput['builders'], pulls: Record<string, PullInput[]> = {}, extra: Partial<ConfigInput['github']> = {}) {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: pulls[TEST_REPO] ?? [] }, [OTHER]: { pulls: pulls[OTHER] ?? [] } } });
    master = await startReportMaster({
      config: { http: { port: 0, host: '127.0.0.1', publicUrl: 'http://ci.example.test', adminToken: { env: 'ADMIN_TOKEN' } }, builders, github: github(extra) },
      github: createTestGitHubClient(gh),
    });
    return master;
  }
  const api = async <T>(m: ReportMaster, url: string): Promise<T> => (await m.app.inject({ method: 'GET', url })).json() as T;

  it('builds each served repository\'s PRs as its own, runs builders only for their repositories, and ignores any other repository with the reason', async () => {
    const m = await start([{ name: 'unit', steps: step }, { name: 'other-only', repos: [OTHER], steps: step }]);
    expect(await m.send('pull_request', opened(TEST_REPO, 1, sha('a')))).toBe(200);
    expect(await m.send('pull_request', opened(OTHER.toUpperCase(), 1, sha('b')))).toBe(200);
    expect(await m.send('pull_request', opened('stranger/elsewhere', 1, sha('c')))).toBe(202);
    expect(buildsOf(m).map((b) => [b.builder, b.repo, b.pr, b.sha?.slice(0, 1)])).toEqual([
      ['unit', TEST_REPO, 1, 'a'],
      ['unit', OTHER.toUpperCase(), 1, 'b'],
      ['other-only', OTHER.toUpperCase(), 1, 'b'],
    ]);
    const { deliveries } = await api<{ deliveries: Array<{ repo: string; outcome: string; detail: string }> }>(m, '/api/v2/deliveries');
    expect(deliveries.find((d) => d.repo === 'stranger/elsewhere')).toMatchObject({ repo: 'stranger/elsewhere', outcome: 'ignored', detail: 'repository stranger/elsewhere is not served here' });
    // The API carries the repository, and filters on it.
    const filtered = await api<{ builds: Array<{ builder: string; repo: string }> }>(m, `/api/v2/builds?repo=${encodeURIComponent(TEST_REPO)}`);
    expect(filtered.builds.map((b) => [b.builder, b.repo])).toEqual([['unit', TEST_REPO]]);
    expect(await api(m, '/api/v2/ui/info')).toMatchObject({ repo: TEST_REPO, repos: [TEST_REPO, OTHER] });
  });

  it('applies each repository\'s trust gate and skip strings', async () => {
    const m = await start([{ name: 'unit', steps: step }]);
    const fork = (p: Record<string, any>) => {
      p.pull_request.head.repo.full_name = 'stranger/fork';
      p.pull_request.user.login = 'stranger';
      p.pull_request.author_association = 'CONTRIBUTOR';
    };
    await m.send('pull_request', opened(TEST_REPO, 1, sha('a'), fork));
    await m.send('pull_request', opened(OTHER, 2, sha('b'), fork));
    await m.send('pull_request', opened(OTHER, 3, sha('c'), (p) => (p.pull_request.title = 'Experiment [no ci]')));
    await m.send('pull_request', opened(TEST_REPO, 4, sha('d'), (p) => (p.pull_request.title = 'Experiment [no ci]')));
    const requests = await api<{ buildrequests: Array<{ repo: string; pr: number; state: string }> }>(m, '/api/v2/buildrequests?order=id');
    expect(requests.buildrequests.map((r) => [r.repo, r.pr, r.state])).toEqual([
      [TEST_REPO, 1, 'awaiting-approval'],
      [OTHER, 2, 'queued'],
      [OTHER, 3, 'complete'],
      [TEST_REPO, 4, 'queued'],
    ]);
    expect(buildsOf(m).find((b) => b.pr === 3)?.result_reason).toBe('skipped: [no ci] in the title');
  });

  it('posts each build\'s statuses to its own repository, with {repo} in the context', async () => {
    const m = await start([{ name: 'unit', steps: step }], {}, { statusContext: 'ci/{repo}/{builder}' });
    await m.send('pull_request', opened(TEST_REPO, 1, sha('a')));
    await m.send('pull_request', opened(OTHER, 1, sha('b')));
    const stand = gh as GitHubStandIn;
    await waitUntil(() => stand.statuses.length >= 2, 'two statuses');
    expect(stand.statuses.map((s) => [s.repo, s.sha.slice(0, 1), s.context, s.state]).sort()).toEqual([
      [TEST_REPO, 'a', `ci/${TEST_REPO}/unit`, 'pending'],
      [OTHER, 'b', `ci/${OTHER}/unit`, 'pending'],
    ]);
  });

  it('reconciles the open pull requests of every served repository', async () => {
    const m = await start([{ name: 'unit', steps: step }, { name: 'first-only', repos: [TEST_REPO], steps: step }], {
      [TEST_REPO]: [{ number: 1, head: { sha: sha('1') }, base: { ref: 'master' }, authorAssociation: 'OWNER' }],
      [OTHER]: [{ number: 1, head: { sha: sha('2') }, base: { ref: 'master' }, authorAssociation: 'OWNER' }],
    });
    const result = await m.reporting.reconcile();
    expect(result?.queuedPulls).toEqual([`${TEST_REPO}#1`, `${OTHER}#1`]);
    expect(buildsOf(m).map((b) => [b.builder, b.repo, b.sha?.slice(0, 1)])).toEqual([
      ['unit', TEST_REPO, '1'],
      ['first-only', TEST_REPO, '1'],
      ['unit', OTHER, '2'],
    ]);
  });
});

describe('several repositories, built by a real worker', () => {
  let ci: CiCluster | undefined;
  const dir = makeTempDir();
  afterEach(async () => {
    await ci?.stop();
    ci = undefined;
  });
  afterAll(() => dir.remove());

  it('fetches each repository\'s source from its own clone URL', async () => {
    const other = createTestRepo(path.join(dir.path, 'other'));
    ci = await startCiCluster({
      github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, repos: [{ repo: OTHER, cloneUrl: other.dir }] },
      builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'show', run: 'cat which.txt; echo "repo $GATEHOUSE_REPO"' }] }],
    });
    await ci.startWorker('w1');
    const mine = ci.repo.commit({ 'which.txt': 'the first repository\n' }, 'PR 1');
    ci.repo.setRef('refs/pull/1/head', mine);
    const theirs = other.commit({ 'which.txt': 'the other repository\n' }, 'PR 1 there');
    other.setRef('refs/pull/1/head', theirs);
    expect(await postPrOpened(ci.master.url, TEST_SECRETS.GH_WEBHOOK_SECRET, TEST_REPO, 1, mine)).toBe(200);
    expect(await postPrOpened(ci.master.url, TEST_SECRETS.GH_WEBHOOK_SECRET, OTHER, 1, theirs)).toBe(200);
    const builds = await ci.waitForBuilds(allFinished(2), 20_000);
    expect(builds.map((b) => b.result)).toEqual(['success', 'success']);
    expect(await ci.log(builds[0]?.id as number, '0')).toContain(`the first repository\nrepo ${TEST_REPO}`);
    expect(await ci.log(builds[1]?.id as number, '0')).toContain(`the other repository\nrepo ${OTHER}`);
  });
});
