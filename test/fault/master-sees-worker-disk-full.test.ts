// Fault suite: the worker's own disk (its source cache and work dirs, a 16 MiB tmpfs this test
// mounts) is full when a build comes. The build ends as error saying why, the worker process stays
// up and connected, and once space is back the next build runs. Root only: skipped outside CI with
// the reason when the mount cannot be made, failed in CI.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCiCluster, allFinished, type CiCluster } from '../support/ci-cluster.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { fillDisk, mountSmallDisk, type SmallDisk } from '../support/small-disk.js';

describe("fault suite: the worker's disk full", () => {
  const dir = makeTempDir('gatehouse-fault-');
  const mnt = path.join(dir.path, 'worker-data');
  let disk: SmallDisk | undefined;
  let ci: CiCluster | undefined;
  afterAll(async () => {
    await ci?.stop();
    disk?.unmount();
    dir.remove();
  });

  it('ends the build as error with the reason, and the worker stays up for the next one', async (ctx) => {
    disk = mountSmallDisk('worker disk full', mnt, '16m');
    if (!disk) return ctx.skip();
    ci = await startCiCluster({ builders: [{ name: 'b', executor: 'host', steps: [{ name: 's', run: 'cat pr.txt' }] }] });
    const workerConfig = path.join(dir.path, 'worker.config.json');
    writeFileSync(workerConfig, JSON.stringify({ ...(JSON.parse(readFileSync(ci.configFile, 'utf8')) as object), dataDir: mnt }));
    const worker = startWorkerProcess(workerConfig, 'w1', `ws://127.0.0.1:${ci.port}`);
    ci.workers.push(worker);
    await worker.waitFor('connected to the master');

    const filler = path.join(mnt, 'filler');
    fillDisk(filler);
    await ci.openPr(1);
    const [failed] = await ci.waitForBuilds(allFinished(1), 30_000);
    expect(failed, worker.output()).toMatchObject({ result: 'error', result_reason: expect.stringMatching(/^prepare failed: .*No space left on device/) });
    expect(worker.child.exitCode).toBeNull();

    rmSync(filler);
    await ci.openPr(2);
    const builds = await ci.waitForBuilds(allFinished(2), 30_000);
    expect(builds[1], worker.output()).toMatchObject({ result: 'success', worker: 'w1' });
    expect(await ci.log(builds[1]?.id ?? 0, '0')).toContain('pull request 2');
  }, 90_000);
});
