// Fault suite: a real worker process running a host step whose processes escaped its process group
// (`setsid`, a double fork, `nohup … &`) is killed with SIGKILL. It can clean nothing up itself, so
// the kernel must: none of the step's processes may outlive the worker, before or after it restarts.
import { afterEach, describe, expect, it } from 'vitest';
import { allFinished, startCiCluster, type CiCluster } from '../support/ci-cluster.js';
import { MARK_VARIABLE, markedProcesses, newMark } from '../support/step-processes.js';
import { isAlive, waitUntil } from '../support/worker-build-spec.js';

describe('fault suite: a worker killed with SIGKILL leaves no step process behind', () => {
  let ci: CiCluster | undefined;
  afterEach(async () => {
    await ci?.stop();
    ci = undefined;
  });

  it('every process of the running step is gone, and stays gone after the worker restarts', async () => {
    const mark = newMark();
    // The step's environment comes from the config, not the worker's; the mark is exported by the step.
    const run = [
      `export ${MARK_VARIABLE}=${mark}`,
      'setsid sleep 1001 </dev/null >/dev/null 2>&1 &',
      '( ( sleep 1002 </dev/null >/dev/null 2>&1 & ) & )',
      'nohup sleep 1003 </dev/null >/dev/null 2>&1 &',
      'echo escaped',
      'sleep 1000',
    ].join('\n');
    ci = await startCiCluster({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1, gracePeriod: '1s' }],
      builders: [{ name: 'b', executor: 'host', steps: [{ name: 'escape', run }] }],
    });
    const worker = await ci.startWorker('w1');
    await worker.waitFor('each step runs in a PID namespace');
    await ci.openPr(1);
    await waitUntil(() => markedProcesses(mark).length >= 4, 'the step\'s escapes to run', 15_000); // 3 escapes and `sleep 1000` (the shell exported the mark later)
    const pids = markedProcesses(mark);

    await worker.kill('SIGKILL');
    await waitUntil(() => pids.every((pid) => !isAlive(pid)), `the step's processes to be gone after the worker's SIGKILL (${pids.join(' ')})`, 5000);
    const [build] = await ci.waitForBuilds(allFinished(1), 15_000);
    expect(build).toMatchObject({ result: 'error', result_reason: 'worker w1 lost' });

    await ci.startWorker('w1'); // resolves once connected
    expect(markedProcesses(mark)).toEqual([]);
  }, 60_000);
});
