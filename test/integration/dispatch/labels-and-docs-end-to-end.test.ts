// A no_<builder> label added to a PR whose build runs on a real worker ends that build as skipped;
// a skip string that means "docs" runs only the builder's docs steps. Real payloads
// (@octokit/webhooks-examples), a real master and a real worker process.
import { afterEach, describe, expect, it } from 'vitest';
import { startCiCluster, allFinished, type CiCluster } from '../../support/ci-cluster.js';
import { webhookHeaders } from '../../support/sign-webhook.js';
import { TEST_SECRETS } from '../../support/test-config.js';
import { labeledEvent, pullRequestEvent } from '../../support/pr-events.js';

async function post(ci: CiCluster, payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${ci.master.url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) });
  return res.status;
}

describe('labels and docs-only builds, end to end', () => {
  let ci: CiCluster | undefined;
  afterEach(async () => {
    await ci?.stop();
    ci = undefined;
  });

  it('adding no_<builder> while its build runs cancels it on the worker, and it ends as skipped', async () => {
    ci = await startCiCluster({
      builders: [
        { name: 'long', executor: 'host', steps: [{ name: 'work', run: 'echo working; sleep 30' }] },
        { name: 'other', executor: 'host', steps: [{ name: 'work', run: 'echo other' }] },
      ],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const running = await ci.waitForBuilds((b) => b.find((x) => x.builder === 'long')?.state === 'running');
    const long = running.find((b) => b.builder === 'long') as { id: number; sha: string };
    for (let i = 0; i < 100 && !(await ci.log(long.id, '0')).includes('working'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await post(ci, labeledEvent({ number: 1, sha: long.sha }, 'no_long'))).toBe(200);
    const builds = await ci.waitForBuilds(allFinished(2), 15_000);
    expect(builds.map((b) => [b.builder, b.result, b.result_reason])).toEqual([
      ['long', 'skipped', 'skipped: label no_long added'],
      ['other', 'success', null],
    ]);
  });

  it('a docs skip string runs only the docs steps, and says so in the build', async () => {
    ci = await startCiCluster({
      builders: [{
        name: 'unit', executor: 'host',
        triggers: { skipTitle: [{ match: '[CI:DOCS]', then: 'docs' }, '[skip ci]'] },
        steps: [{ name: 'build', run: 'echo building' }, { name: 'lint-docs', run: 'echo "docs only: $GATEHOUSE_DOCS_ONLY"', docs: true }, { name: 'test', run: 'echo testing' }],
      }],
    });
    await ci.startWorker('w1');
    const sha = ci.repo.commit({ 'README.md': 'typo fixed\n' }, 'Fix a typo');
    ci.repo.setRef('refs/pull/2/head', sha);
    expect(await post(ci, pullRequestEvent('opened', { number: 2, sha }, (p) => (p.pull_request.title = '[CI:DOCS] Fix a typo')))).toBe(200);
    const [build] = await ci.waitForBuilds(allFinished(1), 15_000);
    expect(build).toMatchObject({ result: 'success' });
    const api = await ci.api<{ builds: Array<{ reason: string; docs_only: boolean }> }>(`/api/v2/builds/${build?.id}`);
    expect(api.builds[0]).toMatchObject({ docs_only: true, reason: 'pull request #2 opened; docs only: [CI:DOCS] in the title' });
    const steps = await ci.api<{ steps: Array<{ step: string; name: string; result: string }> }>(`/api/v2/builds/${build?.id}/steps`);
    expect(steps.steps.map((s) => [s.name, s.result])).toEqual([['lint-docs', 'success']]);
    expect(await ci.log(build?.id as number, '1')).toContain('docs only: 1');
  });
});
