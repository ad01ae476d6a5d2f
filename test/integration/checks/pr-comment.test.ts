// The pull request comment through a master and the real client against the stand-in: one comment
// per PR, edited in place as the head's builds go (not one per build), the failing step's last
// lines for a failure, none for a head whose builds were all skipped, and none posted twice after
// a lost answer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { TEST_REPO } from '../../support/test-config.js';
import { addStep, buildsOf, finishBuild, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';
import type { ConfigInput } from '../../../shared/config.js';

const A = 'a'.repeat(40);
const step = [{ name: 'test', run: 'true' }];

describe('pull request comment', () => {
  let gh: GitHubStandIn;
  let master: ReportMaster;

  beforeEach(async () => {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: {} } });
  });
  afterEach(async () => {
    await master?.stop();
    await gh.close();
  });

  async function start(prComment: NonNullable<ConfigInput['github']['prComment']>, builders: ConfigInput['builders'] = [{ name: 'unit', steps: step }, { name: 'lint', steps: step }]) {
    master = await startReportMaster({
      config: { builders, github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, token: { env: 'GH_TOKEN' }, prComment } },
      github: createTestGitHubClient(gh),
    });
  }
  const comments = () => gh.state.checks.commentsOn(TEST_REPO, 1);

  it('one comment per pull request, edited in place; a failure shows its last lines; unlisted builders are left out', async () => {
    await start({ builders: ['unit'] });
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    const unit = buildsOf(master).find((b) => b.builder === 'unit')!;
    await waitUntil(() => comments()[0]?.body.includes('| unit | queued |') === true, 'the queued comment');
    startBuild(master, unit.id);
    addStep(master, unit.id, { id: '0', name: 'test', result: 'failure', exitCode: 1, log: 'running\nAssertionError: 1 != 2\n' });
    finishBuild(master, unit.id, 'failure');
    await waitUntil(() => comments()[0]?.body.includes('| unit | failure |') === true, 'the failure in the comment');
    expect(comments()).toHaveLength(1);
    const body = comments()[0]!.body;
    expect(body).toContain('AssertionError: 1 != 2');
    expect(body).toContain('step test failure (exit code 1)');
    expect(body).not.toContain('| lint |');
    expect(gh.requests.filter((r) => r.operationId === 'issues/create-comment')).toHaveLength(1);
    expect(comments()[0]!.edits).toBeGreaterThanOrEqual(1);
  });

  it('posts nothing for a head whose builds were all skipped, unless configured', async () => {
    await start({}, [{ name: 'unit', triggers: { skipTitle: ['[docs]'] }, steps: step }]);
    await master.send('pull_request', prPayload({ number: 1, sha: A, title: 'Fix typo [docs]' }));
    expect(buildsOf(master).map((b) => b.result)).toEqual(['skipped']);
    // The row counts as sent once the sender handled it and found nothing to say.
    await waitUntil(() => master.stores.prComments.get(TEST_REPO, 1)?.sent_version === 1, 'the skipped head handled');
    expect(comments()).toEqual([]);
    await master.stop();
    await start({ whenAllSkipped: true }, [{ name: 'unit', triggers: { skipTitle: ['[docs]'] }, steps: step }]);
    await master.send('pull_request', prPayload({ number: 1, sha: A, title: 'Fix typo [docs]' }));
    await waitUntil(() => comments().length === 1, 'the skipped comment');
    expect(comments()[0]!.body).toContain('| unit | skipped: [docs] in the title |');
  });

  it('a create whose answer was lost is found by its marker, not posted twice', async () => {
    await start({});
    gh.failNext('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { loseAnswer: true });
    await master.send('pull_request', prPayload({ number: 1, sha: A }));
    await waitUntil(() => master.stores.prComments.get(TEST_REPO, 1)?.comment_id != null, 'the comment found again');
    const unit = buildsOf(master).find((b) => b.builder === 'unit')!;
    finishBuild(master, unit.id, 'success');
    await waitUntil(() => comments()[0]?.body.includes('| unit | success |') === true, 'the edit');
    expect(comments()).toHaveLength(1);
  });
});
