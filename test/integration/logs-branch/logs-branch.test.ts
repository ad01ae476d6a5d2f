// The logs branch, against a real bare repository on disk: a placeholder when a build starts, its
// folder when it ends, all of them when many end at once or two masters push at once, long logs cut
// in the middle, and nothing secret in anything pushed.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigInput } from '../../../shared/config.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { createBareRepo, type BareRepo } from '../../support/bare-git-repo.js';
import { TEST_SECRETS } from '../../support/test-config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import {
  addJunit, addStep, buildsOf, finishBuild, junitXml, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster,
} from '../../support/report-test-master.js';

const BRANCH = 'ci-logs';
const WEB = 'https://github.com/acme/ci-logs';
const sha = (n: number) => n.toString(16).padStart(40, 'c');
const steps = [{ name: 'build', run: 'true' }, { name: 'test', run: 'true' }];

describe('logs branch', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  function temp(): string {
    const dir = makeTempDir('gatehouse-logs-');
    cleanup.push(() => dir.remove());
    return dir.path;
  }
  function logsConfig(remote: string, builder = 'unit', extra: Partial<ConfigInput> = {}): Partial<ConfigInput> {
    return { logs: { remote, branch: BRANCH, webUrl: WEB }, builders: [{ name: builder, executor: 'host', steps }], ...extra };
  }
  async function master(config: Partial<ConfigInput>, options: { gh?: GitHubStandIn; dataDir?: string; maxLogBytes?: number } = {}): Promise<ReportMaster> {
    const m = await startReportMaster({ config, dataDir: options.dataDir, github: options.gh ? createTestGitHubClient(options.gh) : undefined, reporting: { maxLogBytes: options.maxLogBytes } });
    cleanup.push(() => m.stop());
    return m;
  }
  /** Folders whose README is the final one (not the placeholder). */
  const finished = (bare: BareRepo) => (bare.tip(BRANCH) ? bare.folders(BRANCH).filter((f) => !bare.show(BRANCH, `${f}/README.md`).includes(': running')) : []);

  /** Open PRs 1..n, each one build, started, with two steps and logs; returns the build ids. */
  async function runBuilds(m: ReportMaster, n: number, firstPr = 1): Promise<number[]> {
    for (let i = 0; i < n; i++) await m.send('pull_request', prPayload({ number: firstPr + i, sha: sha(firstPr + i) }));
    const ids = buildsOf(m).slice(-n).map((b) => b.id);
    for (const id of ids) {
      startBuild(m, id);
      addStep(m, id, { id: '0', name: 'build', result: 'success', log: `building ${id}\n` });
      addStep(m, id, { id: '1', name: 'test', result: id % 2 ? 'success' : 'failure', exitCode: id % 2 ? 0 : 3, log: `testing ${id}\n` });
    }
    return ids;
  }

  it('a placeholder when the build starts, its folder when it ends; Details link there', async () => {
    const dir = temp();
    const bare = createBareRepo(dir);
    const gh = await startGitHubStandIn({ repos: {} });
    cleanup.push(() => gh.close());
    const m = await master(logsConfig(bare.dir), { gh });
    await m.send('pull_request', prPayload({ number: 7, sha: sha(7) }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id, 'host-1');
    const folder = `unit/7-${sha(7).slice(0, 7)}-1`;
    await waitUntil(() => bare.tip(BRANCH) !== null && bare.folders(BRANCH).includes(folder), 'the placeholder');
    expect(bare.show(BRANCH, `${folder}/README.md`)).toContain('# unit #1: running');
    // The branch is an orphan: its first commit has no parent.
    expect(bare.log(BRANCH).at(-1)?.parents).toBe(0);

    addStep(m, build!.id, { id: '0', name: 'build', result: 'success', exitCode: 0, durationMs: 2100, log: 'compiling\n' });
    addStep(m, build!.id, { id: '1', name: 'test', result: 'failure', exitCode: 2, durationMs: 64_000, log: 'FAIL test_volume_attach\n' });
    addJunit(m, build!.id, '1', 'results/junit.xml', junitXml(3, [{ name: 'test_volume_attach', message: 'expected 1 volume, got 2', detail: 'Traceback: line 12\nAssertionError' }]));
    finishBuild(m, build!.id, 'failure');
    await waitUntil(() => finished(bare).includes(folder), 'the final folder');

    expect(bare.files(BRANCH).filter((f) => f.startsWith(folder)).sort()).toEqual(
      [`${folder}/01-build.log`, `${folder}/02-test.log`, `${folder}/README.md`, `${folder}/build.json`, `${folder}/junit/01-junit.xml`].sort(),
    );
    const readme = bare.show(BRANCH, `${folder}/README.md`);
    expect(readme).toContain('# unit #1: failure');
    expect(readme).toContain('[#7](https://github.com/Codertocat/Hello-World/pull/7)');
    expect(readme).toContain(sha(7));
    expect(readme).toContain('| Worker | host-1 |');
    expect(readme).toMatch(/\| 0 \| build \| success \| 2\.1s \| 0 \| \[01-build\.log\]\(01-build\.log\) \|/);
    expect(readme).toMatch(/\| 1 \| test \| failure \| 1m4s \| 2 \| \[02-test\.log\]\(02-test\.log\) \|/);
    expect(readme).toContain('4 tests, 1 failed');
    expect(readme).toContain('tests.unit.test_volume_attach (failure)');
    expect(readme).toContain('expected 1 volume, got 2');
    expect(bare.show(BRANCH, `${folder}/02-test.log`)).toBe('FAIL test_volume_attach\n');

    const done = 'Build done. Step test failed (exit code 2); 4 tests, 1 failed.';
    await waitUntil(() => gh.statuses.at(-1)?.description === done, 'the final status');
    const url = `${WEB}/tree/${BRANCH}/${folder}`;
    // States overtaken before they went out are not sent; those sent link where they should.
    const expected = [['Build queued.', null], ['Build started.', url], [done, url]];
    const got = gh.statuses.map((s) => [s.description, s.targetUrl]);
    expect(got).toEqual(expected.filter(([d]) => got.some(([g]) => g === d)));
  });

  it('ten builds finishing at once all land', async () => {
    const bare = createBareRepo(temp());
    const m = await master(logsConfig(bare.dir));
    const ids = await runBuilds(m, 10);
    // All ten end in the same tick, as when a worker host comes back with its results.
    for (const id of ids) finishBuild(m, id, id % 2 ? 'success' : 'failure');
    await waitUntil(() => finished(bare).length === 10, 'ten final folders', 20_000);
    expect(finished(bare)).toEqual(ids.map((id) => `unit/${id}-${sha(id).slice(0, 7)}-${id}`).sort());
    const subjects = bare.log(BRANCH).map((c) => c.subject);
    for (const id of ids) expect(subjects).toContain(`unit #${id} (PR #${id}, ${sha(id).slice(0, 7)}): ${id % 2 ? 'success' : 'failure'}`);
    // The push lands before the master records it: wait for the record.
    await waitUntil(() => (m.db.prepare(`SELECT COUNT(*) AS n FROM logs_publications WHERE published = 'finished'`).get() as { n: number }).n === 10, 'ten publications recorded');
  });

  it('two masters pushing to one logs repository at once: every build lands (fetch, replay, push again)', async () => {
    const bare = createBareRepo(temp());
    const [alpha, beta] = await Promise.all([master(logsConfig(bare.dir, 'alpha')), master(logsConfig(bare.dir, 'beta'))]);
    const [a, b] = await Promise.all([runBuilds(alpha!, 5), runBuilds(beta!, 5, 6)]);
    for (const id of a) finishBuild(alpha!, id, 'success');
    for (const id of b) finishBuild(beta!, id, 'success');
    await waitUntil(() => finished(bare).length === 10, 'ten final folders', 30_000);
    expect(finished(bare).filter((f) => f.startsWith('alpha/'))).toHaveLength(5);
    expect(finished(bare).filter((f) => f.startsWith('beta/'))).toHaveLength(5);
    // One history: no merge commits, nothing lost; at least one push had to start again.
    expect(bare.log(BRANCH).every((c) => c.parents <= 1)).toBe(true);
    const replays = [...alpha!.logLines, ...beta!.logLines].filter((l) => l.includes('logs branch moved under us')).length;
    expect(replays).toBeGreaterThan(0);
  });

  it('a long log is cut in the middle with a note; the full log stays local', async () => {
    const bare = createBareRepo(temp());
    const m = await master(logsConfig(bare.dir, 'unit', { http: { port: 0, host: '127.0.0.1', publicUrl: 'http://ci.example.test:8010' } }), { maxLogBytes: 64 * 1024 });
    await m.send('pull_request', prPayload({ number: 1, sha: sha(1) }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(6, '0')} of the build output`);
    addStep(m, build!.id, { id: '0', name: 'build', result: 'success', log: `${lines.join('\n')}\n` });
    finishBuild(m, build!.id, 'success');
    const folder = `unit/1-${sha(1).slice(0, 7)}-1`;
    await waitUntil(() => finished(bare).includes(folder), 'the folder');
    const pushed = bare.show(BRANCH, `${folder}/01-build.log`);
    expect(Buffer.byteLength(pushed)).toBeLessThan(64 * 1024 + 1024);
    expect(pushed.split('\n')[0]).toMatch(/^\[gatehouse: this log is 625\.0 KiB, over the 64\.0 KiB kept on the logs branch; .* in the middle are cut\. The full log is on the CI host: http:\/\/ci\.example\.test:8010\/#\/builds\/1\.\]$/);
    expect(pushed).toContain('line 000000 of the build output\n');
    expect(pushed).toContain('line 019999 of the build output\n');
    expect(pushed).not.toContain('line 010000 of the build output');
    expect(pushed).toMatch(/\n\[… .* cut …\]\n/);
    // Whole lines on both sides of the cut.
    for (const line of pushed.split('\n').filter((l) => l.startsWith('line '))) expect(line).toMatch(/^line \d{6} of the build output$/);
    expect(readFileSync(path.join(m.dataDir, 'logs', String(build!.id), '0.log'), 'utf8')).toContain('line 010000 of the build output');
  });

  it('every configured secret is absent from the pushed tree and history, even when it reached a log on disk', async () => {
    const bare = createBareRepo(temp());
    const m = await master(logsConfig(bare.dir));
    await m.send('pull_request', prPayload({ number: 1, sha: sha(1) }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    const secrets = Object.values(TEST_SECRETS).filter((s) => s !== TEST_SECRETS.GH_TOKEN); // no github.token in this config
    // Written straight to disk, past the worker's and the applier's masking, to prove the last line of defence.
    addStep(m, build!.id, { id: '0', name: 'build', result: 'failure', log: secrets.map((s) => `leaked: ${s}\n`).join('') });
    addJunit(m, build!.id, '0', 'junit.xml', junitXml(0, [{ name: 'test_auth', message: `bad secret ${TEST_SECRETS.WORKER_SECRET}` }]));
    finishBuild(m, build!.id, 'failure', `worker said ${TEST_SECRETS.ADMIN_TOKEN}`);
    const folder = `unit/1-${sha(1).slice(0, 7)}-1`;
    await waitUntil(() => finished(bare).includes(folder), 'the folder');
    expect(bare.show(BRANCH, `${folder}/01-build.log`)).toBe('leaked: ***\n'.repeat(secrets.length));
    for (const secret of secrets) expect(bare.historyContains(secret), `secret ${secret.slice(0, 4)}… on the branch`).toBe(false);
    // The check can fail: the unmasked text is in the local log, which is not pushed.
    expect(readFileSync(path.join(m.dataDir, 'logs', String(build!.id), '0.log'), 'utf8')).toContain(TEST_SECRETS.WORKER_SECRET);
  });

  it('a remote that is unreachable is retried, also after a master restart', async () => {
    const dir = temp();
    const dataDir = path.join(dir, 'data');
    const remote = path.join(dir, 'later.git');
    const first = await master(logsConfig(remote), { dataDir });
    await first.send('pull_request', prPayload({ number: 1, sha: sha(1) }));
    const [build] = buildsOf(first);
    startBuild(first, build!.id);
    finishBuild(first, build!.id, 'success');
    await waitUntil(() => (first.db.prepare('SELECT attempts FROM logs_publications').get() as { attempts: number } | undefined)?.attempts! >= 2, 'failed attempts');
    await first.stop();
    expect(existsSync(remote)).toBe(false);

    const bare = createBareRepo(dir, 'later.git');
    await master(logsConfig(remote), { dataDir });
    await waitUntil(() => finished(bare).length === 1, 'the folder after the restart');
    expect(finished(bare)).toEqual([`unit/1-${sha(1).slice(0, 7)}-1`]);
  });
});
