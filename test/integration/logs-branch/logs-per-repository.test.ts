// Per-repository logs locations (github.repos[].logs), against real bare repositories on disk: a
// repository with a logs remote of its own publishes there and its statuses link there, one on the
// top-level location publishes where it always did; two repositories sharing a location get their
// repository in the folder names; retention and `gatehouse prune --dry-run` cover every location.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ConfigInput } from '../../../shared/config.js';
import { parseConfig } from '../../../shared/config.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { createBareRepo, type BareRepo } from '../../support/bare-git-repo.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { pullRequestEvent } from '../../support/pr-events.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { runPruneCommand } from '../../../master/retention/prune-command.js';
import { silentLogger } from '../../../shared/logger.js';
import type { BuildRow } from '../../../master/store/build-store.js';
import { addStep, buildsOf, finishBuild, startBuild, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';

const OTHER = 'octo-org/other-repo';
const WEB = 'https://logs.example.test/main';
const OTHER_WEB = 'https://logs.example.test/other';
const sha = (c: string) => c.repeat(40);
const DAY = 86_400_000;

describe('logs locations per repository', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  /** `repos(otherRemote)`: the served repositories besides TEST_REPO, given the second bare repository's path. */
  async function setUp(repos: (otherRemote: string) => NonNullable<ConfigInput['github']>['repos']) {
    const dir = makeTempDir('gatehouse-repo-logs-');
    cleanup.push(() => dir.remove());
    const main = createBareRepo(dir.path, 'logs.git');
    const other = createBareRepo(dir.path, 'other-logs.git');
    const gh: GitHubStandIn = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: [] }, [OTHER]: { pulls: [] } } });
    cleanup.push(() => gh.close());
    const config: Partial<ConfigInput> = {
      logs: { remote: main.dir, branch: 'ci-logs', webUrl: WEB, keepDays: 30 },
      github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0, repos: repos(other.dir) },
      builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] }],
    };
    const dataDir = path.join(dir.path, 'data');
    const m = await startReportMaster({ config, dataDir, github: createTestGitHubClient(gh) });
    cleanup.push(() => m.stop());
    return { main, other, gh, m, config, dataDir };
  }

  /** A PR of `repo`, built and finished (`daysAgo` days ago, when given); returns its build. */
  async function build(m: ReportMaster, repo: string, number: number, head: string, daysAgo = 0): Promise<BuildRow> {
    expect(await m.send('pull_request', pullRequestEvent('opened', { repo, number, sha: head }))).toBe(200);
    const b = buildsOf(m).at(-1) as BuildRow;
    startBuild(m, b.id);
    addStep(m, b.id, { id: '0', name: 'test', result: 'success', log: `testing ${repo}#${number}\n` });
    finishBuild(m, b.id, 'success');
    if (daysAgo > 0) {
      const at = Date.now() - daysAgo * DAY;
      m.db.prepare('UPDATE builds SET created_at = ?, started_at = ?, finished_at = ? WHERE id = ?').run(at - 60_000, at - 50_000, at, b.id);
      m.bus.emit({ type: 'build', build: m.builds.get(b.id) as BuildRow });
    }
    return b;
  }
  const landed = (bare: BareRepo, branch: string, folder: string) =>
    waitUntil(() => bare.tip(branch) !== null && bare.folders(branch).includes(folder) && !bare.show(branch, `${folder}/README.md`).includes(': running'), `${folder} on ${branch}`);

  it('a repository with its own logs remote publishes there and links there; the other stays on the top-level location', async () => {
    const { main, other, gh, m } = await setUp((remote) => [{ repo: OTHER, logs: { remote, branch: 'other-logs', webUrl: OTHER_WEB } }]);
    const mine = await build(m, TEST_REPO, 1, sha('a'));
    const theirs = await build(m, OTHER, 2, sha('b'));
    const mineFolder = `unit/1-aaaaaaa-${mine.number}`;
    const theirFolder = `unit/2-bbbbbbb-${theirs.number}`;
    await landed(main, 'ci-logs', mineFolder);
    await landed(other, 'other-logs', theirFolder);
    // Each on its own location only; the top-level branch never reaches the other remote.
    expect(main.folders('ci-logs')).toEqual([mineFolder]);
    expect(other.folders('other-logs')).toEqual([theirFolder]);
    expect(other.tip('ci-logs')).toBeNull();
    expect(main.tip('other-logs')).toBeNull();
    expect(other.show('other-logs', `${theirFolder}/01-test.log`)).toBe(`testing ${OTHER}#2\n`);

    await waitUntil(() => gh.statuses.filter((s) => s.description?.startsWith('Build done')).length === 2, 'both final statuses');
    const links = (repo: string) => new Set(gh.statuses.filter((s) => s.repo === repo && s.targetUrl !== null && !s.description?.startsWith('Build queued')).map((s) => s.targetUrl));
    expect(links(TEST_REPO)).toEqual(new Set([`${WEB}/tree/ci-logs/${mineFolder}`]));
    expect(links(OTHER)).toEqual(new Set([`${OTHER_WEB}/tree/other-logs/${theirFolder}`]));

    // The build page's link: the logs branch of the build's repository.
    const info = (await m.app.inject({ method: 'GET', url: '/api/v2/ui/info' })).json() as { logs: unknown; repo_logs: unknown };
    expect(info.logs).toEqual({ branch: 'ci-logs', web_url: `${WEB}/tree/ci-logs` });
    expect(info.repo_logs).toEqual({ [OTHER]: { branch: 'other-logs', web_url: `${OTHER_WEB}/tree/other-logs` } });
  });

  it('two repositories on one location share its branch, with the repository in the folder names', async () => {
    const { main, other, m } = await setUp(() => [{ repo: OTHER }]);
    const mine = await build(m, TEST_REPO, 3, sha('c'));
    const theirs = await build(m, OTHER, 3, sha('d'));
    await landed(main, 'ci-logs', `unit/Codertocat.Hello-World-3-ccccccc-${mine.number}`);
    await landed(main, 'ci-logs', `unit/octo-org.other-repo-3-ddddddd-${theirs.number}`);
    expect(main.folders('ci-logs')).toHaveLength(2);
    expect(other.tip('ci-logs')).toBeNull();
  });

  it('retention and prune --dry-run cover every location', async () => {
    const { main, other, m, config, dataDir } = await setUp((remote) => [{ repo: OTHER, logs: { remote, branch: 'other-logs' } }]);
    const oldMine = await build(m, TEST_REPO, 1, sha('1'), 40);
    const newMine = await build(m, TEST_REPO, 2, sha('2'));
    const oldTheirs = await build(m, OTHER, 3, sha('3'), 40);
    const newTheirs = await build(m, OTHER, 4, sha('4'));
    const folder = (b: BuildRow, pr: number, c: string) => `unit/${pr}-${c.repeat(7)}-${b.number}`;
    for (const [bare, branch, f] of [
      [main, 'ci-logs', folder(oldMine, 1, '1')], [main, 'ci-logs', folder(newMine, 2, '2')],
      [other, 'other-logs', folder(oldTheirs, 3, '3')], [other, 'other-logs', folder(newTheirs, 4, '4')],
    ] as const) await landed(bare, branch, f);

    const loaded = parseConfig({ ...config, dataDir }, 'cfg', { env: TEST_SECRETS });
    const dry = await runPruneCommand(loaded, { dryRun: true, logger: silentLogger });
    expect(dry?.branchDropped?.sort()).toEqual([folder(oldMine, 1, '1'), folder(oldTheirs, 3, '3')].sort());
    expect(other.folders('other-logs')).toHaveLength(2);

    const result = await m.reporting.prune();
    expect(result?.branch?.dropped.sort()).toEqual([folder(oldMine, 1, '1'), folder(oldTheirs, 3, '3')].sort());
    expect(main.folders('ci-logs')).toEqual([folder(newMine, 2, '2')]);
    expect(other.folders('other-logs')).toEqual([folder(newTheirs, 4, '4')]);
  });
});
