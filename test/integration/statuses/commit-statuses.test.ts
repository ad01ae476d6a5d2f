// The statuses a pull request sees, per builder, through the real GitHub client against the
// OpenAPI-validated stand-in: transitions in order, each at most once, and always a final one. A
// state that a newer one of its (sha, context) overtook before it went out is never posted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { examplePayload } from '../../support/sign-webhook.js';
import {
  addJunit, addStep, buildsOf, finishBuild, junitXml, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster,
} from '../../support/report-test-master.js';
import type { ConfigInput } from '../../../shared/config.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const UI = 'http://ci.example.test:8010';
const step = [{ name: 'test', run: 'true' }];

describe('commit statuses', () => {
  let gh: GitHubStandIn;
  let master: ReportMaster;

  beforeEach(async () => {
    gh = await startGitHubStandIn({
      repos: { [TEST_REPO]: { pulls: [{ number: 5, head: { sha: A, repo: 'stranger/Hello-World' }, author: 'stranger', authorAssociation: 'CONTRIBUTOR', base: { ref: 'master' } }] } },
    });
  });
  afterEach(async () => {
    await master?.stop();
    await gh.close();
  });

  async function start(config: Partial<ConfigInput> = {}) {
    master = await startReportMaster({
      config: { http: { port: 0, host: '127.0.0.1', publicUrl: UI, adminToken: { env: 'ADMIN_TOKEN' } }, ...config },
      github: createTestGitHubClient(gh),
    });
  }
  const posted = (sha: string, context = 'gatehouse/unit') =>
    gh.statuses.filter((s) => s.sha === sha && s.context === context).map((s) => [s.state, s.description]);
  const waitFor = (sha: string, n: number, context?: string) => waitUntil(() => posted(sha, context).length >= n, `${n} statuses on ${sha.slice(0, 7)}`);
  type Posted = [string, string | null];
  /** Wait until the last status on the line is this one. */
  const waitLast = (sha: string, last: Posted, context?: string) =>
    waitUntil(() => JSON.stringify(posted(sha, context).at(-1)) === JSON.stringify(last), `${last[1]} on ${sha.slice(0, 7)}`);
  /** The line got the build's states in order, each once, ending with the last; states overtaken before they went out may be missing. */
  function expectLine(sha: string, states: Posted[], context?: string) {
    const got = posted(sha, context);
    expect(got).toEqual(states.filter(([st, d]) => got.some(([gs, gd]) => gs === st && gd === d)));
    expect(got.at(-1)).toEqual(states.at(-1));
  }
  /** Nothing more arrives: each transition is posted once, even when its event is seen again. */
  async function expectNoMore(sha: string, n: number) {
    for (const b of buildsOf(master)) master.bus.emit({ type: 'build', build: b });
    await new Promise((r) => setTimeout(r, 300));
    expect(posted(sha)).toHaveLength(n);
  }

  it('success: queued, started, then done with the JUnit counts; Details open the build', async () => {
    await start();
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(master);
    await waitFor(A, 1);
    startBuild(master, build!.id);
    await waitFor(A, 2);
    addStep(master, build!.id, { id: '0', name: 'test', result: 'success', log: 'ok\n' });
    addJunit(master, build!.id, '0', 'results/junit.xml', junitXml(12));
    finishBuild(master, build!.id, 'success');
    await waitFor(A, 3);
    expect(posted(A)).toEqual([
      ['pending', 'Build queued.'],
      ['pending', 'Build started.'],
      ['success', 'Build done. 12 tests, 0 failed.'],
    ]);
    expect(new Set(gh.statuses.map((s) => s.targetUrl))).toEqual(new Set([`${UI}/#/builds/${build!.id}`]));
    await expectNoMore(A, 3);
  });

  it('failure: names the failed step and counts the failed tests', async () => {
    await start();
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(master);
    // All at once: the sender posts the newest, never an older one after it.
    startBuild(master, build!.id);
    addStep(master, build!.id, { id: '0', name: 'build', result: 'success' });
    addStep(master, build!.id, { id: '1', name: 'test', result: 'failure', exitCode: 2 });
    addJunit(master, build!.id, '1', 'results/junit.xml', junitXml(11, [{ name: 'test_volume_attach', message: 'expected 1, got 2' }]));
    finishBuild(master, build!.id, 'failure', 'step test failed');
    const done: Posted = ['failure', 'Build done. Step test failed (exit code 2); 12 tests, 1 failed.'];
    await waitLast(A, done);
    expectLine(A, [['pending', 'Build queued.'], ['pending', 'Build started.'], done]);
    await expectNoMore(A, posted(A).length);
  });

  it('error: says what went wrong', async () => {
    await start();
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(master);
    startBuild(master, build!.id);
    finishBuild(master, build!.id, 'error', 'worker w1 was gone for more than 60s');
    const done: Posted = ['error', 'Build done. Error: worker w1 was gone for more than 60s.'];
    await waitLast(A, done);
    expectLine(A, [['pending', 'Build queued.'], ['pending', 'Build started.'], done]);
  });

  it('cancel: a queued build and a running build both end with error and the reason', async () => {
    await start({ builders: [{ name: 'unit', executor: 'host', steps: step }, { name: 'lint', executor: 'host', steps: step }] });
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    const [unit, lint] = buildsOf(master);
    startBuild(master, lint!.id);
    const cancel = (id: number) => master.app.inject({ method: 'POST', url: `/api/v2/builds/${id}/cancel`, headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } });
    expect((await cancel(unit!.id)).statusCode).toBe(202);
    expect((await cancel(lint!.id)).statusCode).toBe(202);
    // The worker stops the running build and reports it cancelled, echoing the reason.
    finishBuild(master, lint!.id, 'cancelled', 'cancelled: cancelled through the API');
    const cancelled: Posted = ['error', 'Build cancelled: cancelled through the API.'];
    await waitLast(A, cancelled, 'gatehouse/unit');
    await waitLast(A, cancelled, 'gatehouse/lint');
    expectLine(A, [['pending', 'Build queued.'], cancelled], 'gatehouse/unit');
    expectLine(A, [['pending', 'Build queued.'], ['pending', 'Build started.'], cancelled], 'gatehouse/lint');
  });

  it('supersede: the old head gets a final error on its own sha, the new head starts over', async () => {
    await start();
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    startBuild(master, buildsOf(master)[0]!.id);
    await master.send('pull_request', prPayload({ number: 1, sha: B, action: 'synchronize' }));
    // The running build was asked to stop; the worker reports it cancelled.
    finishBuild(master, buildsOf(master)[0]!.id, 'cancelled', 'cancelled: superseded by bbbbbbb');
    const byB: Posted = ['error', 'Build cancelled: superseded by bbbbbbb.'];
    await waitLast(A, byB);
    await waitLast(B, ['pending', 'Build queued.']);
    expectLine(A, [['pending', 'Build queued.'], ['pending', 'Build started.'], byB]);
    expect(posted(B)).toEqual([['pending', 'Build queued.']]);

    // A queued (not running) build is superseded by the master itself.
    await master.send('pull_request', prPayload({ number: 1, sha: 'c'.repeat(40), action: 'synchronize' }));
    await waitLast(B, ['error', 'Build cancelled: superseded by ccccccc.']);
    expect(posted(B)).toEqual([['pending', 'Build queued.'], ['error', 'Build cancelled: superseded by ccccccc.']]);
  });

  it('skip: a skipped builder gets success with the reason, so a required check never hangs', async () => {
    await start({ builders: [{ name: 'unit', executor: 'host', steps: step }, { name: 'docs-only', executor: 'host', triggers: { skipTitle: [] }, steps: step }] });
    await master.send('pull_request', prPayload({ number: 1, sha: A, title: '[CI:DOCS] Fix a typo' }));
    await waitFor(A, 1);
    await waitFor(A, 1, 'gatehouse/docs-only');
    expect(posted(A)).toEqual([['success', 'skipped: [CI:DOCS] in the title']]);
    expect(posted(A, 'gatehouse/docs-only')).toEqual([['pending', 'Build queued.']]);
    await expectNoMore(A, 1);
  });

  it('an untrusted fork PR waits for /ok-to-test, then is queued once approved', async () => {
    await start({ github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, statusContext: 'acme-ci/{builder}' } });
    await master.send('pull_request', prPayload({ number: 5, sha: A, author: 'stranger', association: 'CONTRIBUTOR', headRepo: 'stranger/Hello-World' }));
    await waitFor(A, 1, 'acme-ci/unit');
    expect(posted(A, 'acme-ci/unit')).toEqual([['pending', 'Waiting for /ok-to-test.']]);
    const comment = examplePayload('issue_comment', 'created');
    comment.repository.full_name = TEST_REPO;
    comment.issue.number = 5;
    comment.issue.pull_request = { url: `https://api.github.com/repos/${TEST_REPO}/pulls/5` };
    comment.comment.body = '/ok-to-test';
    comment.comment.user.login = 'maintainer';
    comment.comment.author_association = 'MEMBER';
    await master.send('issue_comment', comment);
    await waitFor(A, 2, 'acme-ci/unit');
    expect(posted(A, 'acme-ci/unit')).toEqual([['pending', 'Waiting for /ok-to-test.'], ['pending', 'Build queued.']]);
  });

  it('secrets in a reason are masked before they go public', async () => {
    await start();
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    const [build] = buildsOf(master);
    startBuild(master, build!.id);
    finishBuild(master, build!.id, 'error', `could not log in with ${TEST_SECRETS.WORKER_SECRET}`);
    await waitLast(A, ['error', 'Build done. Error: could not log in with ***.']);
    expect(gh.statuses.some((s) => s.description?.includes(TEST_SECRETS.WORKER_SECRET))).toBe(false);
  });
});
