// The real `gatehouse master` process (built from dist/), configured from a file: it reconciles at
// start, queues the status, is killed with SIGKILL while GitHub refuses statuses, and the next
// process on the same data dir posts what was left in the outbox, once.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_REPO, testConfig } from '../../support/test-config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { startMasterProcess, type MasterProcess } from '../../support/master-process.js';
import { waitUntil } from '../../support/report-test-master.js';

const HEAD = '9'.repeat(40);

describe('reporting in a master process', () => {
  const dir = makeTempDir('gatehouse-report-proc-');
  const standIns: GitHubStandIn[] = [];
  let master: MasterProcess | undefined;
  afterEach(async () => {
    await master?.kill('SIGKILL');
    for (const gh of standIns.splice(0)) await gh.close();
    dir.remove();
  });

  async function standIn(): Promise<GitHubStandIn> {
    const gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { pulls: [{ number: 1, head: { sha: HEAD }, base: { ref: 'master' }, authorAssociation: 'OWNER' }] } } });
    standIns.push(gh);
    return gh;
  }
  function start(gh: GitHubStandIn): Promise<MasterProcess> {
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const base = testConfig();
    writeFileSync(configFile, JSON.stringify({ ...base, github: { ...base.github, apiUrl: gh.url, token: { env: 'GH_TOKEN' } } }));
    return startMasterProcess(['master', '--config', configFile, '--port', '0', '--data-dir', path.join(dir.path, 'data')]);
  }

  it('a status still in the outbox at SIGKILL is posted by the next process, once', async () => {
    const down = await standIn();
    down.failNext('POST', '/repos/{owner}/{repo}/statuses/{sha}', { status: 503 }, 10_000);
    master = await start(down);
    // No webhook was sent: reconcile at start finds the PR and queues it.
    await waitUntil(() => down.requests.some((r) => r.operationId === 'repos/create-commit-status'), 'a status attempt', 15_000);
    expect(down.requests.some((r) => r.operationId === 'pulls/list')).toBe(true);
    await master.kill('SIGKILL');
    expect(down.statuses).toEqual([]);

    const up = await standIn();
    master = await start(up);
    await waitUntil(() => up.statuses.length >= 1, 'the status after the restart', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(up.statuses.map((s) => [s.sha, s.context, s.state, s.description])).toEqual([[HEAD, 'gatehouse/unit', 'pending', 'Build queued.']]);
    const builds = (await (await fetch(`${master.url}/api/v2/builds`)).json()) as { builds: Array<{ pr: number; reason: string }> };
    expect(builds.builds.map((b) => [b.pr, b.reason])).toEqual([[1, 'reconcile: no webhook seen for this head']]);
  });
});
