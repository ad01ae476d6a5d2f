// The dummy executor plays a step's `run` as a script, in process: what tests around the executor
// rely on it for (output, exit codes, cancels, timeouts, files) must hold.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogStream } from '../../../shared/protocol.js';
import { createDummyExecutor } from '../../../worker/executor/dummy-executor.js';
import type { RunStepOptions } from '../../../worker/executor/executor.js';
import { buildSpec, step } from '../../support/worker-build-spec.js';

async function play(run: string, options: Partial<RunStepOptions> = {}) {
  const executor = createDummyExecutor();
  const workspace = await executor.prepare(buildSpec([]), new AbortController().signal);
  const output: Array<[LogStream, string]> = [];
  const outcome = await executor.runStep(workspace, step('0', 's', { run, upload: [{ path: 'up.txt', content: Buffer.from('up').toString('base64'), mode: 0o600 }] }), {
    env: { WHO: 'world' },
    onOutput: (stream, text) => void output.push([stream, String(text)]),
    signal: new AbortController().signal,
    ...options,
  });
  return { executor, workspace, outcome, output };
}

describe('dummy executor', () => {
  it('prints, expands the environment, repeats, and ends with the exit code the script gives', async () => {
    const { outcome, output } = await play('echo "hello $WHO"; echo oops >&2\nrepeat 3: echo n$i\nexit 3\necho never');
    expect(output).toEqual([['stdout', 'hello world\n'], ['stderr', 'oops\n'], ['stdout', 'n1\n'], ['stdout', 'n2\n'], ['stdout', 'n3\n']]);
    expect(outcome).toEqual({ exitCode: 3, timedOut: false, cancelled: false });
    expect((await play('true; echo fine')).outcome.exitCode).toBe(0);
    const loud = await play('lines 10000 a line of text');
    expect(loud.output.map(([, text]) => text).join('')).toBe('a line of text\n'.repeat(10_000));
    expect(loud.output.length).toBe(3); // 64 KiB pieces, as from a pipe
    expect((await play('false; echo never')).outcome.exitCode).toBe(1);
  });

  it('ends an unknown command like a shell would, with 127 and a word on stderr', async () => {
    const { outcome, output } = await play('make test');
    expect(outcome.exitCode).toBe(127);
    expect(output).toEqual([['stderr', 'dummy: make: command not found\n']]);
  });

  it('stops a sleeping step on cancel and on its timeout, and says which', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    const started = Date.now();
    expect((await play('sleep 30', { signal: cancel.signal })).outcome).toMatchObject({ exitCode: null, cancelled: true, timedOut: false });
    expect((await play('echo a; sleep 30; echo b', { timeoutMs: 50 })).outcome).toMatchObject({ exitCode: null, cancelled: false, timedOut: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps uploads, downloads and written files in the workspace, and collects them by glob', async () => {
    const { executor, workspace } = await play('write out/report.xml "<tests/>"; write out/deep/b.txt b');
    await executor.runStep(workspace, step('1', 'dl'), {
      env: {}, onOutput: () => {}, signal: new AbortController().signal,
      files: [{ path: 'in/artifact.bin', mode: 0o755, open: async () => Readable.from([Buffer.from('bytes')]) }],
    });
    const collected = await executor.collect(workspace, ['out/*.xml', 'in/**', 'up.txt'], 1024);
    expect(collected.map((f) => [f.path, f.content?.toString(), f.mode])).toEqual([
      ['up.txt', 'up', 0o600], ['out/report.xml', '<tests/>', 0o644], ['in/artifact.bin', 'bytes', 0o755],
    ]);
    expect((await executor.collect(workspace, ['out/**'], 3)).map((f) => [f.path, f.content])).toEqual([['out/report.xml', undefined], ['out/deep/b.txt', Buffer.from('b')]]);
    await executor.cleanup(workspace);
    expect(await executor.collect(workspace, ['**'], 1024)).toEqual([]);
  });
});
