// The quick start, as the README tells it: `gatehouse up` with no config, then the saved deliveries
// test-ok and test-broken sent with `gatehouse send`: one success, one failure.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { startMasterProcess, CLI, ROOT, type MasterProcess } from '../../support/master-process.js';
import { makeTempDir } from '../../support/temp-dir.js';

const run = promisify(execFile);

describe('quick start with the saved deliveries', () => {
  const dir = makeTempDir();
  let up: MasterProcess | undefined;
  afterEach(async () => {
    await up?.kill('SIGTERM');
    dir.remove();
  });

  it('test-ok builds green and test-broken builds red', async () => {
    up = await startMasterProcess(['up', '--port', '0', '--data-dir', path.join(dir.path, '.gatehouse')], { GATEHOUSE_WEBHOOK_SECRET: 'gatehouse-quickstart' });
    const hook = `${up.url.replace('0.0.0.0', '127.0.0.1')}/change_hook/github`;
    for (const file of ['test-ok', 'test-broken']) {
      const { stdout } = await run(process.execPath, [CLI, 'send', hook, path.join(ROOT, 'examples/quickstart', file)]);
      expect(stdout).toContain('→ 200');
    }
    type Build = { pr: number; state: string; result: string | null };
    let builds: Build[] = [];
    for (let i = 0; i < 200; i++) {
      builds = ((await (await fetch(`${up.url}/api/v2/builds?order=id`)).json()) as { builds: Build[] }).builds;
      if (builds.length === 2 && builds.every((b) => b.state === 'finished')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(builds.map((b) => [b.pr, b.result])).toEqual([[1, 'success'], [2, 'failure']]);
    const log = await (await fetch(`${up.url}/api/v2/builds/2/steps/1/log`)).text();
    expect(log).toContain('not ok 2 - subtracts');
  });
});
