// Host steps in a PID namespace of their own keep what a step could rely on before (cwd, exit code,
// env, signals it traps), see only their own processes; and where no namespace can be had, the
// executor says so once and runs steps in a process group as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepSpec } from '../../../shared/protocol.js';
import { createHostExecutor, type HostExecutorOptions } from '../../../worker/executor/host-executor.js';
import { probeStepIsolation } from '../../../worker/executor/step-isolation.js';
import { captureLogger, step, waitUntil } from '../../support/worker-build-spec.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-isolation-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function runOne(spec: StepSpec, options: Partial<HostExecutorOptions> = {}, env: Record<string, string> = { GREETING: 'hi' }) {
  const executor = createHostExecutor({ workRoot: path.join(tmp, 'work'), killGraceMs: 300, ...options });
  const workspace = await executor.prepare({ buildId: 1 } as Parameters<typeof executor.prepare>[0], new AbortController().signal);
  let stdout = '';
  let stderr = '';
  try {
    const outcome = await executor.runStep(workspace, spec, {
      env,
      signal: new AbortController().signal,
      onOutput: (stream, text) => {
        if (stream === 'stdout') stdout += text;
        if (stream === 'stderr') stderr += text;
      },
    });
    return { outcome, stdout, stderr, dir: workspace.dir };
  } finally {
    await executor.cleanup(workspace);
  }
}

describe('host steps in a PID namespace', () => {
  it('keep cwd, env, exit code and their own signal traps, and see only their own processes', async () => {
    const run = [
      'pwd',
      'echo "$GREETING"',
      "trap 'echo got INT' INT",
      'kill -INT $$',
      'sleep 100 </dev/null >/dev/null 2>&1 &',
      // Their own /proc: the init, this shell, the sleep, ls and grep.
      'ls /proc | grep -c "^[0-9]"',
      'echo to-stderr >&2',
      'exit 3',
    ].join('\n');
    const { outcome, stdout, stderr, dir } = await runOne(step('0', 'probe', { run }));
    expect(outcome).toMatchObject({ exitCode: 3, timedOut: false, cancelled: false });
    expect(stdout).toBe(`${dir}\nhi\ngot INT\n5\n`);
    expect(stderr).toBe('to-stderr\n');
  });

  it('a BASH_ENV meant for the step reaches the step only, not the namespace\'s init', async () => {
    const bashEnv = path.join(tmp, 'bash-env.sh');
    writeFileSync(bashEnv, 'echo "sourced by $0"\n');
    const { outcome, stdout } = await runOne(step('0', 'env', { run: 'echo step ran' }), {}, { BASH_ENV: bashEnv });
    expect(outcome).toMatchObject({ exitCode: 0 });
    expect(stdout).toBe('sourced by bash\nstep ran\n');
  });

  it('fall back to a process group where unshare cannot run, with one warning naming why', async () => {
    const isolation = await probeStepIsolation(0, { PATH: path.join(tmp, 'no-such-dir') });
    expect(isolation).toMatchObject({ kind: 'none' });
    expect(isolation.kind === 'none' && isolation.reason).toMatch(/ENOENT/);
    const logger = captureLogger();
    const { outcome, stdout } = await runOne(step('0', 'plain', { run: 'echo $$ > /dev/null; echo ran' }), { isolation, logger });
    expect(outcome).toMatchObject({ exitCode: 0 });
    expect(stdout).toBe('ran\n');
    await waitUntil(() => logger.lines.length > 0, 'the warning');
    expect(logger.lines).toEqual([expect.stringMatching(/^warn host executor: no PID namespace for steps here \(.*ENOENT.*\); a step's processes that leave its process group/)]);
  });
});
