// A schedule firing in a real `gatehouse master` process (built from dist/): every second, on main,
// only when main moved. The GitHub stand-in says where main is; the API shows the builds and the
// schedule's newest handled slot, which is how the test knows slots passed without building.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_REPO, testConfig } from '../../support/test-config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { startMasterProcess, type MasterProcess } from '../../support/master-process.js';
import { waitUntil } from '../../support/report-test-master.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
type Builds = { builds: Array<{ builder: string; sha: string; ref: string; reason: string }> };
type Builders = { builders: Array<{ name: string; schedule: { last_slot_at: number | null; next_at: number | null } | null }> };

describe('scheduled builds in a master process', () => {
  const dir = makeTempDir('gatehouse-schedule-proc-');
  let gh: GitHubStandIn | undefined;
  let master: MasterProcess | undefined;
  afterEach(async () => {
    await master?.kill();
    await gh?.close();
    dir.remove();
  });

  it('builds main at its slots, and again only once main moved', async () => {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { refs: { 'refs/heads/main': A } } } });
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    const base = testConfig({
      builders: [{ name: 'nightly', executor: 'host', triggers: { pullRequest: false, schedule: { cron: '* * * * * *', onlyIfChanged: true } }, steps: [{ name: 'build', run: 'true' }] }],
    });
    writeFileSync(configFile, JSON.stringify({ ...base, github: { ...base.github, apiUrl: gh.url, token: { env: 'GH_TOKEN' }, reconcileInterval: 0 } }));
    master = await startMasterProcess(['master', '--config', configFile, '--port', '0', '--data-dir', path.join(dir.path, 'data')]);
    const url = master.url;
    const builds = async () => ((await (await fetch(`${url}/api/v2/builds?order=id`)).json()) as Builds).builds;
    const lastSlot = async () => ((await (await fetch(`${url}/api/v2/builders`)).json()) as Builders).builders[0]?.schedule?.last_slot_at ?? 0;

    await waitUntil(async () => (await builds()).length === 1, 'the first scheduled build', 15_000);
    expect((await builds())[0]).toMatchObject({ builder: 'nightly', sha: A, ref: 'refs/heads/main', reason: expect.stringContaining('scheduled build of refs/heads/main') });
    // Three more slots pass with main where it was: none of them builds.
    const seen = await lastSlot();
    await waitUntil(async () => (await lastSlot()) >= seen + 3000, 'three more slots', 15_000);
    expect(await builds()).toHaveLength(1);

    gh.state.setRef(TEST_REPO, 'refs/heads/main', B);
    await waitUntil(async () => (await builds()).length === 2, 'a build of the new head', 15_000);
    expect((await builds())[1]).toMatchObject({ sha: B });
  }, 60_000);
});
