// `gatehouse builds` (built from dist/) against a real `gatehouse master` process: force a build
// through the GitHub stand-in, list and show it, follow its log live while a worker (the test's
// fake one) runs it, and the exit codes scripts branch on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { CLI, startMasterProcess, type MasterProcess } from '../../support/master-process.js';
import { waitUntil } from '../../support/report-test-master.js';
import { FakeWorker } from '../../ui/fake-worker.js';
import { buildList } from '../../../master/api/schemas/builds.js';

const MAIN = 'a'.repeat(40);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('gatehouse builds against a master process', () => {
  const dir = makeTempDir('gatehouse-builds-cli-');
  let gh: GitHubStandIn;
  let master: MasterProcess;
  let env: NodeJS.ProcessEnv;

  function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, 'builds', ...args], { env: { ...env, ...extraEnv } }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { refs: { 'refs/heads/main': MAIN } } } });
    const base = testConfig({
      builders: [
        { name: 'unit', executor: 'host', steps: [{ name: 'compile', run: 'make' }, { name: 'test', run: 'make test' }] },
        { name: 'release', executor: 'host', triggers: { pullRequest: false }, properties: { channel: { choices: ['test', 'stable'], default: 'test' } }, steps: [{ name: 'pack', run: 'true' }] },
      ],
    });
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    writeFileSync(configFile, JSON.stringify({ ...base, github: { ...base.github, apiUrl: gh.url, token: { env: 'GH_TOKEN' }, reconcileInterval: 0 } }));
    master = await startMasterProcess(['master', '--config', configFile, '--port', '0', '--data-dir', path.join(dir.path, 'data')]);
    // Only what a user's shell would hold: no secrets of the master but the admin token.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, GATEHOUSE_URL: master.url, GATEHOUSE_ADMIN_TOKEN: TEST_SECRETS.ADMIN_TOKEN };
  }, 30_000);
  afterAll(async () => {
    await master?.kill();
    await gh?.close();
    dir.remove();
  });

  it('forces a build, lists it, shows it, and follows its log live to the end', async () => {
    const forced = await cli(['force', 'unit', 'main', '--by', 'alice', '--json']);
    expect(forced).toMatchObject({ code: 0, stderr: '' });
    const build = buildList.parse(JSON.parse(forced.stdout)).builds[0]!;
    expect(build).toMatchObject({ builder: 'unit', state: 'queued', sha: MAIN, ref: 'refs/heads/main', reason: `forced build of main (${MAIN.slice(0, 7)}) requested from the CLI by alice` });

    const list = await cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+BUILDER\s+#\s+STATE\s+BUILT\s+CREATED\s+REASON$/);
    expect(list.stdout).toMatch(new RegExp(`^${build.id}\\s+unit\\s+1\\s+queued\\s+main ${MAIN.slice(0, 7)}\\s`, 'm'));
    expect(buildList.parse(JSON.parse((await cli(['list', '--builder', 'release', '--json'])).stdout)).builds).toEqual([]);

    const worker = await FakeWorker.connect(master.url.replace('0.0.0.0', '127.0.0.1'));
    try {
      const spec = await worker.build(0);
      expect(spec.buildId).toBe(build.id);
      await worker.stepStarted(build.id, '0', 'compile');
      await worker.log(build.id, '0', 'cc -c app.c\n');
      const follow = spawn(process.execPath, [CLI, 'builds', 'log', String(build.id), '--follow'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let followed = '';
      follow.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => follow.once('exit', resolve));
      await waitUntil(() => followed.includes('cc -c app.c'), 'the first line, live', 15_000);
      await worker.log(build.id, '0', 'cc -o app app.o\n');
      await waitUntil(() => followed.includes('cc -o app'), 'a line logged while following', 10_000);
      await worker.stepFinished(build.id, '0', 'success', 0);
      await worker.stepStarted(build.id, '1', 'test');
      await worker.log(build.id, '1', 'ok 1 - widgets\n');
      await worker.stepFinished(build.id, '1', 'success', 0);
      await worker.buildFinished(build.id, 'success');
      expect(await exited).toBe(0);
      expect(followed).toBe('==> step 0 compile <==\ncc -c app.c\ncc -o app app.o\n==> step 1 test <==\nok 1 - widgets\n');
    } finally {
      worker.close();
    }

    const show = await cli(['show', String(build.id)]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('state:    success');
    expect(show.stdout).toMatch(/^1\s+test\s+success\s+1\.5s\s+15 B$/m);
    expect((await cli(['log', String(build.id), '1'])).stdout).toBe('ok 1 - widgets\n');
  }, 60_000);

  it('exits with a code for each kind of refusal', async () => {
    expect(await cli(['show', '999999'])).toMatchObject({ code: 3, stderr: 'gatehouse builds: no build 999999\n' });
    expect((await cli(['force', 'unit', 'nowhere'])).code).toBe(3);
    expect((await cli(['force', 'release', 'main', '-p', 'channel=beta'])).code).toBe(5);
    const anonymous = await cli(['force', 'unit', 'main'], { GATEHOUSE_ADMIN_TOKEN: '' });
    expect(anonymous.code).toBe(4);
    expect(anonymous.stderr).toContain('admin token required');
    expect((await cli(['show', 'abc'])).code).toBe(2);
    expect((await cli(['list'], { GATEHOUSE_URL: 'http://127.0.0.1:9' })).code).toBe(1);
    // A finished build cannot be cancelled; a queued one can.
    expect((await cli(['force', 'release', 'main', '--priority', 'high'])).code).toBe(2);
    const release = buildList.parse(JSON.parse((await cli(['force', 'release', 'main', '-p', 'channel=stable', '--priority', '-2', '--json'])).stdout)).builds[0]!;
    const queue = await (await fetch(`${master.url}/api/v2/queue`)).json() as { buildrequests: Array<{ build_id: number; priority: number }> };
    expect(queue.buildrequests.find((r) => r.build_id === release.id)?.priority).toBe(-2);
    expect((await cli(['cancel', String(release.id)])).stdout).toContain(`release #1 (id ${release.id}): cancelled`);
    expect((await cli(['cancel', String(release.id)])).code).toBe(5);
  }, 60_000);
});
