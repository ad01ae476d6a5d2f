// Fault suite: a host step that escapes its process group three ways (`setsid`, a double fork,
// `nohup … &`) must not leave those processes running once it ended, whether it exited 0, was
// cancelled, or timed out. The escapes are found from outside by an environment mark (the step's own
// PIDs are those of its PID namespace) and told apart by their `sleep` argument.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildSpec } from '../../shared/protocol.js';
import { runBuild } from '../../worker/build-runner.js';
import { createHostExecutor } from '../../worker/executor/host-executor.js';
import { stepIsolation } from '../../worker/executor/step-isolation.js';
import { MARK_VARIABLE, markedProcesses, newMark } from '../support/step-processes.js';
import { buildSpec, captureLogger, isAlive, RecordingSink, step, waitUntil } from '../support/worker-build-spec.js';

const ESCAPES = { setsid: 'sleep 1001', 'double fork': 'sleep 1002', nohup: 'sleep 1003' };
// Each escape closes its output so that only the namespace, not a held pipe, decides when the step is over.
const START_ESCAPES = [
  'setsid sleep 1001 </dev/null >/dev/null 2>&1 &',
  '( ( sleep 1002 </dev/null >/dev/null 2>&1 & ) & )',
  'nohup sleep 1003 </dev/null >/dev/null 2>&1 &',
  'echo escaped',
].join('\n');

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-escape-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The escapes' host PIDs, once all three run. */
async function escapes(mark: string): Promise<Record<string, number>> {
  let found: Record<string, number> = {};
  await waitUntil(() => {
    const running = markedProcesses(mark).map((pid) => [pid, commandLine(pid)] as const);
    found = Object.fromEntries(Object.entries(ESCAPES).flatMap(([name, cmd]) => running.filter(([, c]) => c === cmd).map(([pid]) => [name, pid])));
    return Object.keys(found).length === 3;
  }, 'the three escapes to run');
  return found;
}

async function expectAllGone(pids: Record<string, number>): Promise<void> {
  // Zombies count as gone: an orphan's zombie may wait for a PID 1 that does not reap.
  await waitUntil(() => Object.values(pids).every((pid) => !isAlive(pid)), `every escape gone (${JSON.stringify(pids)})`, 5000).catch((error: unknown) => {
    const left = Object.entries(pids).filter(([, pid]) => isAlive(pid)).map(([name]) => name);
    throw new Error(`${(error as Error).message}; still running: ${left.join(', ')}`);
  });
}

describe('fault suite: a host step\'s escaped processes end with it', () => {
  it('runs steps in a PID namespace here (else the rest would test the fallback)', async () => {
    expect(await stepIsolation()).toMatchObject({ kind: 'pid-namespace' });
  });

  const run = async (build: BuildSpec, signal = new AbortController().signal) => {
    const sink = new RecordingSink();
    const executor = createHostExecutor({ workRoot: path.join(tmp, 'work'), killGraceMs: 500 });
    const done = runBuild(build, { executor, sink, signal, logger: captureLogger() });
    return { sink, done };
  };

  it('a step that exits 0 after starting them: the build succeeds and none is left', async () => {
    const mark = newMark();
    const go = path.join(tmp, 'go');
    // The step waits for the test to have seen the escapes, so "gone" cannot mean "never started".
    const { sink, done } = await run(buildSpec([step('0', 'escape', { run: `${START_ESCAPES}\nwhile [ ! -e ${go} ]; do sleep 0.05; done\nexit 0`, env: { [MARK_VARIABLE]: mark } })]));
    const pids = await escapes(mark);
    writeFileSync(go, '');
    expect(await done).toBe('success');
    expect(sink.log(1, '0')).toBe('escaped\n');
    await expectAllGone(pids);
  });

  it('a cancelled step: none is left', async () => {
    const mark = newMark();
    const cancel = new AbortController();
    const { sink, done } = await run(buildSpec([step('0', 'escape', { run: `${START_ESCAPES}\nsleep 1000`, env: { [MARK_VARIABLE]: mark } })]), cancel.signal);
    const pids = await escapes(mark);
    cancel.abort('test');
    expect(await done).toBe('cancelled');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'cancelled' });
    await expectAllGone(pids);
  });

  it('a timed-out step: none is left', async () => {
    const mark = newMark();
    const { sink, done } = await run(buildSpec([step('0', 'escape', { run: `${START_ESCAPES}\nsleep 1000`, env: { [MARK_VARIABLE]: mark }, timeoutMs: 3000 })]));
    const pids = await escapes(mark);
    expect(await done).toBe('failure');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure', reason: 'timed out after 3s' });
    await expectAllGone(pids);
  });
});
