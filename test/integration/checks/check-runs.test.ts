// Builds reported as check runs by a master with GitHub App auth, through the real client against
// the OpenAPI-validated stand-in (installation tokens only): one run per build that goes queued,
// in_progress with its link, completed with conclusion, summary, text and annotations in batches
// of 50; the same run after a restart; and never two runs for one build, whatever a crash cut off.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestAppClient, testApp } from '../../support/github-test-client.js';
import { TEST_REPO } from '../../support/test-config.js';
import {
  addJunit, addStep, buildsOf, finishBuild, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster,
} from '../../support/report-test-master.js';
import type { ConfigInput } from '../../../shared/config.js';
import { makeTempDir } from '../../support/temp-dir.js';

const A = 'a'.repeat(40);
const UI = 'http://ci.example.test:8010';

describe('check runs', () => {
  let gh: GitHubStandIn;
  let master: ReportMaster | undefined;
  let dir: ReturnType<typeof makeTempDir>;

  beforeEach(async () => {
    gh = await startGitHubStandIn({ tokens: [], app: testApp().standIn, repos: { [TEST_REPO]: {} } });
    dir = makeTempDir('gatehouse-checks-');
  });
  afterEach(async () => {
    await master?.stop();
    master = undefined;
    await gh.close();
    dir.remove();
  });

  async function start(github: Partial<ConfigInput['github']> = {}) {
    master = await startReportMaster({
      dataDir: dir.path,
      config: {
        http: { port: 0, host: '127.0.0.1', publicUrl: UI, adminToken: { env: 'ADMIN_TOKEN' } },
        github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, app: { appId: 4242, privateKey: { env: 'GH_APP_KEY' }, installationId: 77 }, ...github },
      },
      env: { GH_APP_KEY: testApp().config.privateKey },
      github: createTestAppClient(gh),
    });
    return master;
  }
  const runs = () => gh.state.checks.runsOf(TEST_REPO, A);
  const waitStatus = (status: string, what = status) => waitUntil(() => runs().at(-1)?.status === status, `a ${what} check run`);

  it('goes queued, in progress, completed: one run with its link, summary, steps text and conclusion; no statuses by default', async () => {
    const m = await start();
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(m);
    await waitStatus('queued');
    startBuild(m, build!.id);
    await waitStatus('in_progress');
    addStep(m, build!.id, { id: '0', name: 'test', result: 'success', log: 'ok\n', durationMs: 65_000 });
    finishBuild(m, build!.id, 'success');
    await waitStatus('completed');
    expect(runs()).toHaveLength(1);
    const run = runs()[0]!;
    expect(run).toMatchObject({ name: 'gatehouse/unit', externalId: String(build!.id), conclusion: 'success', detailsUrl: `${UI}/#/builds/${build!.id}` });
    expect(run.history).toEqual(['queued', 'in_progress', 'completed']);
    expect(run.output.title).toBe('Build done.');
    expect(run.output.summary).toContain('| 0 | test | success | 1m5s |');
    expect(run.output.text).toContain('### 0. test');
    expect(gh.statuses).toEqual([]);
    expect(gh.requests.filter((r) => r.operationId?.startsWith('checks/')).every((r) => r.tokenKind === 'installation')).toBe(true);
  });

  it('a failure shows the failing step\'s last lines and annotates 60 JUnit failures in two batches', async () => {
    const m = await start({ report: 'both' });
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    addStep(m, build!.id, { id: '0', name: 'test', result: 'failure', exitCode: 2, log: 'collecting\nE   assert 1 == 2\n60 failed\n' });
    const cases = Array.from({ length: 60 }, (_, i) => `<testcase classname="t" name="case_${i}"${i < 10 ? ` file="tests/test_${i}.py" line="${i + 3}"` : ''}><failure message="no ${i}"/></testcase>`);
    addJunit(m, build!.id, '0', 'out/junit.xml', `<testsuites><testsuite name="s">${cases.join('')}</testsuite></testsuites>`);
    finishBuild(m, build!.id, 'failure');
    await waitUntil(() => runs()[0]?.annotations.length === 60, '60 annotations');
    const run = runs()[0]!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.output.title).toBe('Build done. Step test failed (exit code 2); 60 tests, 60 failed.');
    expect(run.output.summary).toContain('### Last lines of test');
    expect(run.output.summary).toContain('E   assert 1 == 2\n60 failed');
    expect(run.annotations[0]).toMatchObject({ path: 'tests/test_0.py', start_line: 3, end_line: 3, annotation_level: 'failure', message: 'no 0', title: 't.case_0 (failure)' });
    expect(run.annotations[59]).toMatchObject({ path: 'out/junit.xml', start_line: 1, message: 'no 59' });
    const batches = gh.requests.filter((r) => r.operationId === 'checks/update' && (r.body as { output?: { annotations?: unknown[] } }).output?.annotations);
    expect(batches.map((r) => (r.body as { output: { annotations: unknown[] } }).output.annotations.length)).toEqual([50, 10]);
    // 'both': the commit status goes too.
    await waitUntil(() => gh.statuses.some((s) => s.state === 'failure'), 'the failure status');
  });

  it('after a restart, later transitions update the same run', async () => {
    let m = await start();
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    await waitStatus('in_progress');
    await m.stop();
    m = await start();
    finishBuild(m, build!.id, 'success');
    await waitStatus('completed');
    expect(runs()).toHaveLength(1);
    expect(runs()[0]!.history.at(-1)).toBe('completed');
  });

  it('a create whose answer was lost is found by its external id, not made twice', async () => {
    const m = await start();
    gh.failNext('POST', '/repos/{owner}/{repo}/check-runs', { loseAnswer: true });
    await m.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(m);
    await waitUntil(() => m.stores.checkRuns.get(build!.id)?.github_id != null, 'the run id found again');
    startBuild(m, build!.id);
    finishBuild(m, build!.id, 'success');
    await waitStatus('completed');
    expect(runs()).toHaveLength(1);
    expect(gh.requests.filter((r) => r.operationId === 'checks/create')).toHaveLength(1);
    expect(gh.requests.some((r) => r.operationId === 'checks/list-for-ref')).toBe(true);
  });
});
