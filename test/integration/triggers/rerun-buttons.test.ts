// GitHub's Re-run buttons, as real check_run / check_suite `rerequested` webhooks (from
// @octokit/webhooks-examples): a run's button rebuilds its builder, a suite's every builder of the
// head, under the /retest trust rules, with the presser's permission looked up on the stand-in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn, type PullInput } from '../../support/github-api-stand-in.js';
import { createTestAppClient, testApp } from '../../support/github-test-client.js';
import { TEST_REPO } from '../../support/test-config.js';
import { examplePayload } from '../../support/sign-webhook.js';
import { buildsOf, finishBuild, prPayload, startReportMaster, type ReportMaster } from '../../support/report-test-master.js';

const FORK_HEAD = 'a'.repeat(40);
const OWN_HEAD = 'b'.repeat(40);
const step = [{ name: 'test', run: 'true' }];
const fork: PullInput = { number: 5, head: { sha: FORK_HEAD, repo: 'stranger/Hello-World' }, author: 'stranger', authorAssociation: 'CONTRIBUTOR', base: { ref: 'master' } };
const own: PullInput = { number: 6, head: { sha: OWN_HEAD }, author: 'octocat', authorAssociation: 'CONTRIBUTOR', base: { ref: 'master' } };

function rerequested(event: 'check_run' | 'check_suite', sha: string, by: string, options: { buildId?: number; appId?: number } = {}) {
  const p = examplePayload(event, 'rerequested');
  p.repository.full_name = TEST_REPO;
  p.sender.login = by;
  const check = p[event] as { head_sha: string; external_id?: string; app: { id: number } };
  check.head_sha = sha;
  check.app.id = options.appId ?? testApp().standIn.appId;
  if (event === 'check_run') check.external_id = String(options.buildId ?? '');
  return p;
}

describe('Re-run buttons', () => {
  let gh: GitHubStandIn;
  let master: ReportMaster;

  beforeEach(async () => {
    gh = await startGitHubStandIn({ tokens: [], app: testApp().standIn, repos: { [TEST_REPO]: { pulls: [fork, own], collaborators: { maintainer: 'write', reader: 'read' } } } });
    master = await startReportMaster({
      config: {
        builders: [{ name: 'unit', steps: step }, { name: 'lint', steps: step }],
        github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, app: { appId: 4242, privateKey: { env: 'GH_APP_KEY' }, installationId: 77 } },
      },
      env: { GH_APP_KEY: testApp().config.privateKey },
      github: createTestAppClient(gh),
    });
  });
  afterEach(async () => {
    await master?.stop();
    await gh.close();
  });

  /** Open the pull request and finish its builds (unit fails). */
  async function builtHead(pr: PullInput) {
    await master.send('pull_request', prPayload({ number: pr.number, sha: pr.head.sha, author: pr.author, association: pr.authorAssociation, headRepo: pr.head.repo ?? undefined }));
    const ofHead = buildsOf(master).filter((b) => b.sha === pr.head.sha);
    for (const b of ofHead) {
      if (b.state === 'queued' && master.stores.requests.get(b.request_id)?.state === 'awaiting-approval') master.stores.requests.approve(b.request_id);
      master.builds.claim(b.request_id, b.id, 'w1');
      finishBuild(master, b.id, b.builder === 'unit' ? 'failure' : 'success');
    }
    return ofHead;
  }
  const outcome = () => master.db.prepare<[], { outcome: string; detail: string }>('SELECT outcome, detail FROM deliveries ORDER BY received_at DESC, rowid DESC LIMIT 1').get();

  it("a run's Re-run, pressed by someone with write access, rebuilds that build's builder only", async () => {
    const [unit] = (await builtHead(fork)).filter((b) => b.builder === 'unit');
    expect(await master.send('check_run', rerequested('check_run', FORK_HEAD, 'maintainer', { buildId: unit!.id }))).toBe(200);
    const again = buildsOf(master).filter((b) => b.sha === FORK_HEAD).slice(2);
    expect(again.map((b) => [b.builder, b.state, b.reason, b.pr])).toEqual([['unit', 'queued', 'Re-run by maintainer', 5]]);
    expect(master.stores.requests.get(again[0]!.request_id)?.state).toBe('queued');
  });

  it("a suite's Re-run by the author of a pull request that needs no approval rebuilds every builder of the head", async () => {
    await builtHead(own);
    await master.send('check_suite', rerequested('check_suite', OWN_HEAD, 'octocat'));
    expect(buildsOf(master).filter((b) => b.sha === OWN_HEAD).slice(2).map((b) => b.builder).sort()).toEqual(['lint', 'unit']);
  });

  it('is refused to an untrusted fork author, to a reader, and ignored for another app or an unknown build', async () => {
    const [unit] = (await builtHead(fork)).filter((b) => b.builder === 'unit');
    const count = buildsOf(master).length;
    await master.send('check_suite', rerequested('check_suite', FORK_HEAD, 'stranger'));
    expect(outcome()).toEqual({ outcome: 'ignored', detail: 'stranger is not allowed to trigger builds' });
    await master.send('check_run', rerequested('check_run', FORK_HEAD, 'reader', { buildId: unit!.id }));
    expect(outcome()).toEqual({ outcome: 'ignored', detail: 'reader is not allowed to trigger builds' });
    await master.send('check_run', rerequested('check_run', FORK_HEAD, 'maintainer', { buildId: unit!.id, appId: 9 }));
    expect(outcome()).toEqual({ outcome: 'ignored', detail: 'a check of another app (9)' });
    await master.send('check_run', rerequested('check_run', FORK_HEAD, 'maintainer', { buildId: 999 }));
    expect(outcome()).toEqual({ outcome: 'ignored', detail: 'no build 999 of this head' });
    // The echo of runs this CI posts starts nothing.
    const created = examplePayload('check_run', 'created');
    created.repository.full_name = TEST_REPO;
    await master.send('check_run', created);
    expect(outcome()).toEqual({ outcome: 'ignored', detail: 'check_run created does not start builds' });
    expect(buildsOf(master)).toHaveLength(count);
  });
});
