import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact, BuildSpec } from '../../../shared/protocol.js';
import { runBuild } from '../../../worker/build-runner.js';
import type { Executor } from '../../../worker/executor/executor.js';
import { createHostExecutor } from '../../../worker/executor/host-executor.js';
import { createSourceCache } from '../../../worker/source-cache.js';
import { createTestRepo } from '../../support/worker-git-repo.js';
import { MARK_VARIABLE, newMark, watchMarked } from '../../support/step-processes.js';
import { buildSpec, captureLogger, isAlive, RecordingSink, step, waitUntil } from '../../support/worker-build-spec.js';

let tmp: string;
let executor: Executor;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-runner-'));
  executor = createHostExecutor({ workRoot: path.join(tmp, 'work'), killGraceMs: 300 });
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function run(build: BuildSpec, signal = new AbortController().signal, sink = new RecordingSink()) {
  const result = await runBuild(build, { executor, sink, signal, logger: captureLogger() });
  return { result, sink };
}

describe('build runner on the host executor', () => {
  it('runs steps in order with the build and step env, streams stdout and stderr, and says it runs on the host', async () => {
    const { result, sink } = await run(
      buildSpec([
        step('0', 'hello', { run: 'echo "build $GATEHOUSE_BUILD_ID says $GREETING"; echo oops >&2', env: { GREETING: 'hi' } }),
        step('1', 'second', { run: 'echo "step $GATEHOUSE_STEP"' }),
      ]),
    );
    expect(result).toBe('success');
    expect(sink.log(1, '0')).toBe('build 1 says hi\n');
    expect(sink.log(1, '0', 'stderr')).toBe('oops\n');
    expect(sink.log(1, '0', 'header')).toContain('runs directly on the worker host');
    expect(sink.log(1, '1')).toBe('step second\n');
    expect(sink.messages.map((m) => `${m.type}${'step' in m ? ` ${m.step}` : ''}`).filter((t) => !t.startsWith('log'))).toEqual([
      'step.started 0',
      'step.finished 0',
      'step.started 1',
      'step.finished 1',
      'build.finished',
    ]);
    expect(sink.buildFinished(1)).toEqual([{ type: 'build.finished', buildId: 1, result: 'success' }]);
    expect(readdirSync(path.join(tmp, 'work'))).toEqual([]); // cleaned up
  });

  it('stops at a failing step and reports the rest as skipped; the always-step sees GATEHOUSE_RESULT=failure', async () => {
    const { result, sink } = await run(
      buildSpec([
        step('0', 'fails', { run: 'echo before; exit 3; echo after' }),
        step('1', 'never', { run: 'echo never' }),
        step('2', 'post', { run: 'echo "result=$GATEHOUSE_RESULT"', always: true }),
      ]),
    );
    expect(result).toBe('failure');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure', exitCode: 3 });
    expect(sink.log(1, '0')).toBe('before\n');
    expect(sink.finished(1, '1')).toMatchObject({ result: 'skipped', exitCode: null, reason: 'not run: step "fails" failed' });
    expect(sink.log(1, '1')).toBe('');
    expect(sink.log(1, '2')).toBe('result=failure\n');
    expect(sink.finished(1, '2')).toMatchObject({ result: 'success' });
    expect(sink.buildFinished(1)).toEqual([{ type: 'build.finished', buildId: 1, result: 'failure', reason: 'step "fails" failed (exit code 3)' }]);
  });

  it('goes on after a failure when haltOnFailure is false, and the build still fails', async () => {
    const { result, sink } = await run(
      buildSpec([step('0', 'lint', { run: 'false', haltOnFailure: false }), step('1', 'test', { run: 'echo "tests ran, so far $GATEHOUSE_RESULT"' })]),
    );
    expect(result).toBe('failure');
    expect(sink.log(1, '1')).toBe('tests ran, so far failure\n');
    expect(sink.finished(1, '1')).toMatchObject({ result: 'success' });
  });

  it('never has more than maxParallel children running, and does run them in parallel', async () => {
    const out = path.join(tmp, 'times');
    const child = (i: number) => step(`0.${i}`, `c${i}`, { run: `s=$(date +%s%N); sleep 0.3; mkdir -p ${out}; echo "$s $(date +%s%N)" > ${out}/${i}` });
    const { result, sink } = await run(
      buildSpec([step('0', 'group', { parallel: [0, 1, 2, 3, 4, 5].map(child), maxParallel: 2 }), step('1', 'after', { run: `ls ${out} | wc -l` })]),
    );
    expect(result).toBe('success');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'success', exitCode: null });
    expect(sink.log(1, '1').trim()).toBe('6'); // the next step starts only after the whole group
    const spans = readdirSync(out).map((f) => readFileSync(path.join(out, f), 'utf8').trim().split(' ').map(Number) as [number, number]);
    expect(spans).toHaveLength(6);
    const most = Math.max(...spans.map(([start]) => spans.filter(([s, e]) => s <= start && start < e).length));
    expect(most).toBe(2);
  });

  it('a failed child of a group stops the group from starting more children, and fails the build', async () => {
    const { result, sink } = await run(
      buildSpec([
        step('0', 'group', {
          maxParallel: 1,
          parallel: [step('0.0', 'a', { run: 'exit 1' }), step('0.1', 'b', { run: 'echo b' }), step('0.2', 'c', { run: 'echo c', haltOnFailure: false })],
        }),
        step('1', 'after', { run: 'echo after' }),
      ]),
    );
    expect(result).toBe('failure');
    expect(sink.finished(1, '0.1')).toMatchObject({ result: 'skipped', reason: 'not run: step "a" failed' });
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure' });
    expect(sink.finished(1, '1')).toMatchObject({ result: 'skipped' });
  });

  it('a step timeout kills the whole process group, children included', async () => {
    const mark = newMark();
    const watch = watchMarked(mark);
    const started = Date.now();
    const { result, sink } = await run(
      buildSpec([
        step('0', 'hangs', {
          run: 'sleep 1000 & (sleep 1000 & wait) & echo waiting; sleep 1000',
          env: { [MARK_VARIABLE]: mark },
          timeoutMs: 500,
        }),
      ]),
    );
    watch.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toBe('failure');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure', reason: 'timed out after 500ms' });
    expect(sink.log(1, '0')).toBe('waiting\n');
    expect(watch.seen.size).toBeGreaterThanOrEqual(4); // the step's shell, the subshell, three sleeps
    await waitUntil(() => [...watch.seen].every((pid) => !isAlive(pid)), 'the children to be gone', 2000);
  });

  it('SIGKILLs a step that ignores SIGTERM after the grace period', async () => {
    const mark = newMark();
    const watch = watchMarked(mark);
    const { sink } = await run(buildSpec([step('0', 'stubborn', { run: `trap '' TERM; sleep 1000 & wait`, env: { [MARK_VARIABLE]: mark }, timeoutMs: 300 })]));
    watch.stop();
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure', reason: 'timed out after 300ms', exitCode: null });
    expect(watch.seen.size).toBeGreaterThanOrEqual(2);
    await waitUntil(() => [...watch.seen].every((pid) => !isAlive(pid)), 'the sleep to be gone', 2000);
  });

  it('ends the build as failure when the whole build times out', async () => {
    const { result, sink } = await run(
      buildSpec([step('0', 'slow', { run: 'sleep 1000' }), step('1', 'next', { run: 'true' }), step('2', 'post', { run: 'echo "$GATEHOUSE_RESULT"', always: true })], {
        timeoutMs: 600,
      }),
    );
    expect(result).toBe('failure');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure', reason: 'build timed out after 600ms' });
    expect(sink.finished(1, '1')).toMatchObject({ result: 'skipped' });
    expect(sink.log(1, '2')).toBe('failure\n');
    expect(sink.buildFinished(1)).toEqual([{ type: 'build.finished', buildId: 1, result: 'failure', reason: 'timed out after 600ms' }]);
  });

  it('a cancel stops the running step, skips the rest, and still runs the always-step', async () => {
    const cancel = new AbortController();
    const sink = new RecordingSink();
    const done = run(
      buildSpec([
        step('0', 'long', { run: 'echo started; sleep 1000' }),
        step('1', 'next', { run: 'echo next' }),
        step('2', 'post', { run: 'echo "post sees $GATEHOUSE_RESULT"', always: true }),
      ]),
      cancel.signal,
      sink,
    );
    await waitUntil(() => sink.log(1, '0') === 'started\n', 'the step to start');
    cancel.abort('superseded by a new push');
    const { result } = await done;
    expect(result).toBe('cancelled');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'cancelled', reason: 'cancelled' });
    expect(sink.finished(1, '1')).toMatchObject({ result: 'skipped', reason: 'not run: the build was cancelled' });
    expect(sink.log(1, '2')).toBe('post sees cancelled\n');
    expect(sink.buildFinished(1)).toEqual([{ type: 'build.finished', buildId: 1, result: 'cancelled', reason: 'cancelled: superseded by a new push' }]);
  });

  it('collects JUnit files after the step, masked, even when the step fails, and never from outside the work dir', async () => {
    const { sink } = await run(
      buildSpec(
        [
          step('0', 'test', {
            run: 'mkdir -p results; echo "<testsuite name=\\"s3kr1t-token\\"/>" > results/unit.xml; echo x > results/notes.txt; exit 1',
            junit: ['results/*.xml', '../*'],
            artifacts: ['results/*.txt', 'results/unit.xml'],
          }),
        ],
        { secrets: ['s3kr1t-token'] },
      ),
    );
    const artifacts = sink.messages.filter((m): m is Omit<Artifact, 'seq'> => m.type === 'artifact');
    expect(artifacts.map((a) => [a.kind, a.path])).toEqual([
      ['junit', 'results/unit.xml'],
      ['file', 'results/notes.txt'],
    ]);
    expect(Buffer.from(artifacts[0]?.content ?? '', 'base64').toString()).toBe('<testsuite name="***"/>\n');
    expect(sink.finished(1, '0')).toMatchObject({ result: 'failure', exitCode: 1 });
  });

  it('masks a secret written in two pieces with a pause between them', async () => {
    const { sink } = await run(buildSpec([step('0', 'leaky', { run: "printf 'abc'; sleep 0.3; printf 'def\\n'; echo done" })], { secrets: ['abcdef'] }));
    expect(sink.log(1, '0')).toBe('***\ndone\n');
    for (const chunk of sink.logChunks(1, '0')) expect(chunk).not.toContain('abc');
  });

  it('sends a partial line after a pause without waiting for its newline', async () => {
    const sink = new RecordingSink();
    const done = run(buildSpec([step('0', 'prompt', { run: "printf 'Continue? '; sleep 0.6; echo yes" })]), undefined, sink);
    await waitUntil(() => sink.log(1, '0') === 'Continue? ', 'the partial line', 500);
    await done;
    expect(sink.logChunks(1, '0')).toEqual(['Continue? ', 'yes\n']);
  });

  it('writes uploaded files before the step runs', async () => {
    const script = Buffer.from('#!/bin/sh\necho "pre-run with $1"\n').toString('base64');
    const { result, sink } = await run(buildSpec([step('0', 'pre-run', { upload: [{ path: 'ci/pre-run.sh', content: script, mode: 0o755 }], run: './ci/pre-run.sh arg' })]));
    expect(result).toBe('success');
    expect(sink.log(1, '0')).toBe('pre-run with arg\n');
  });

  it('ends as cancelled, superseded by the new tip, when its pull request was pushed again before the checkout', async () => {
    const repo = createTestRepo(path.join(tmp, 'upstream'));
    const first = repo.commit({ 'README.md': 'first push\n' }, 'first push');
    const second = repo.commit({ 'README.md': 'second push\n' }, 'second push', first);
    repo.setRef('refs/pull/1/head', second); // the worker sees the second push before the master does
    executor = createHostExecutor({ workRoot: path.join(tmp, 'work'), killGraceMs: 300, sourceCache: createSourceCache({ dir: path.join(tmp, 'sources') }) });
    const { result, sink } = await run(buildSpec([step('0', 'a', { run: 'true' })], { source: { cloneUrl: repo.dir, ref: 'refs/pull/1/head', sha: first } }));
    expect(result).toBe('cancelled');
    expect(sink.buildFinished(1)[0]?.reason).toBe(`cancelled: superseded by ${second.slice(0, 7)}`);
    expect(sink.finished(1, '0')).toMatchObject({ result: 'skipped', reason: 'not run: the build was superseded' });
  });

  it('ends as error, every step skipped, when prepare fails', async () => {
    const { result, sink } = await run(
      buildSpec([step('0', 'a', { run: 'true' }), step('1', 'g', { parallel: [step('1.0', 'b', { run: 'true' })] })], {
        source: { cloneUrl: '/nonexistent', ref: 'refs/pull/1/head', sha: 'c'.repeat(40) },
      }),
    );
    expect(result).toBe('error');
    for (const id of ['0', '1.0', '1']) expect(sink.finished(1, id)).toMatchObject({ result: 'skipped', reason: 'not run: the build could not be prepared' });
    expect(sink.buildFinished(1)[0]?.reason).toMatch(/^prepare failed: this worker has no source cache/);
    expect(existsSync(path.join(tmp, 'work')) ? readdirSync(path.join(tmp, 'work')) : []).toEqual([]);
  });
});
