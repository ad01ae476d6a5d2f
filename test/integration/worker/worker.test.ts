// The whole worker against the test master: slots, backpressure, missing executors, shutdown.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SequencedMessage } from '../../../shared/protocol.js';
import { createDummyExecutor } from '../../../worker/executor/dummy-executor.js';
import { type RunningWorker, startWorker, type WorkerOptions } from '../../../worker/worker.js';
import { buildSpec, captureLogger, step, waitUntil } from '../../support/worker-build-spec.js';
import { startTestMaster, type TestMaster } from '../../support/worker-test-master.js';

let master: TestMaster;
let worker: RunningWorker | undefined;

beforeEach(async () => {
  master = await startTestMaster({ workers: { w1: 's3cret' } });
});

afterEach(async () => {
  await worker?.close({ graceMs: 2000 });
  worker = undefined;
  await master.close();
});

async function start(options: Partial<WorkerOptions> = {}): Promise<RunningWorker> {
  worker = startWorker({
    name: 'w1',
    secret: 's3cret',
    masterUrl: master.url,
    slots: 1,
    labels: [],
    executors: { host: createDummyExecutor() }, // scripted steps: what is under test is around the executor
    logger: captureLogger(),
    backoff: { baseMs: 50, maxMs: 200 },
    ...options,
  });
  await waitUntil(() => master.connected && master.hellos.length > 0, 'hello');
  return worker;
}

const indexOf = (messages: SequencedMessage[], pick: (m: SequencedMessage) => boolean) => messages.findIndex(pick);

describe('worker', () => {
  it('runs at most `slots` builds at once; an extra one waits for a free slot', async () => {
    await start({ slots: 2 });
    for (const id of [1, 2, 3]) master.send({ type: 'build.start', build: buildSpec([step('0', 's', { run: 'sleep 0.3' })], { buildId: id }) });
    await waitUntil(() => [1, 2, 3].every((id) => master.log.buildFinished(id).length === 1), 'three builds');
    const messages = master.log.messages as SequencedMessage[];
    const thirdStarted = indexOf(messages, (m) => m.type === 'step.started' && m.buildId === 3);
    const firstFinished = indexOf(messages, (m) => m.type === 'build.finished');
    expect(firstFinished).toBeGreaterThanOrEqual(0);
    expect(thirdStarted).toBeGreaterThan(firstFinished);
    expect(indexOf(messages, (m) => m.type === 'step.started' && m.buildId === 2)).toBeLessThan(firstFinished);
  });

  it('pauses step output while too much is unacked, and finishes once the master acks', async () => {
    master.autoAck = false;
    await start({ maxUnackedBytes: 256 * 1024 });
    // 400 000 lines of 25 bytes: 10 MB, far over the 256 KiB window.
    master.send({ type: 'build.start', build: buildSpec([step('0', 'loud', { run: 'lines 400000 a line of text for a log' })], { buildId: 1 }) });
    await waitUntil(() => master.receivedLogBytes > 0, 'the first output');
    await new Promise((r) => setTimeout(r, 1000));
    // The window, plus at most the chunk being cut when it filled (256 KiB) and one pipe read.
    expect(master.receivedLogBytes).toBeLessThan(256 * 1024 + 256 * 1024 + 64 * 1024);
    expect(master.log.buildFinished(1)).toEqual([]);

    master.autoAck = true;
    master.ack();
    await waitUntil(() => master.log.buildFinished(1).length === 1, 'build.finished', 20_000);
    expect(master.log.log(1, '0')).toBe('a line of text for a log\n'.repeat(400_000));
    expect(master.log.buildFinished(1)[0]).toMatchObject({ result: 'success' });
  });

  it('ends a build for an executor it does not have as error, with every step skipped', async () => {
    await start();
    master.send({ type: 'build.start', build: buildSpec([step('0', 'a', { run: 'true' })], { buildId: 4, executor: 'vm' }) });
    await waitUntil(() => master.log.buildFinished(4).length === 1, 'build.finished');
    expect(master.log.buildFinished(4)[0]).toMatchObject({ result: 'error', reason: 'prepare failed: worker w1 has no vm executor' });
    expect(master.log.finished(4, '0')).toMatchObject({ result: 'skipped' });
  });

  it('cancels a build waiting for a slot without running it', async () => {
    await start({ slots: 1 });
    master.send({ type: 'build.start', build: buildSpec([step('0', 'busy', { run: 'sleep 0.5' })], { buildId: 1 }) });
    master.send({ type: 'build.start', build: buildSpec([step('0', 'queued', { run: 'echo ran' })], { buildId: 2 }) });
    await waitUntil(() => master.log.messages.some((m) => m.type === 'step.started'), 'the first build');
    master.send({ type: 'build.cancel', buildId: 2, reason: 'superseded' });
    await waitUntil(() => [1, 2].every((id) => master.log.buildFinished(id).length === 1), 'both builds');
    expect(master.log.buildFinished(2)[0]).toMatchObject({ result: 'cancelled', reason: 'superseded' });
    expect(master.log.finished(2, '0')).toMatchObject({ result: 'skipped' });
    expect(master.log.log(2, '0')).toBe('');
    expect(master.log.buildFinished(1)[0]).toMatchObject({ result: 'success' });
  });

  it('on close cancels running builds, runs their always-steps, and delivers everything before disconnecting', async () => {
    const w = await start();
    master.send({
      type: 'build.start',
      build: buildSpec([step('0', 'long', { run: 'echo go; sleep 1000' }), step('1', 'post', { run: 'echo cleaned up', always: true })], { buildId: 9 }),
    });
    await waitUntil(() => master.log.log(9, '0') === 'go\n', 'the step');
    await w.close({ graceMs: 5000 });
    worker = undefined;
    await w.stopped;
    expect(master.log.log(9, '1')).toBe('cleaned up\n');
    expect(master.log.buildFinished(9)[0]).toMatchObject({ result: 'cancelled', reason: 'cancelled: worker w1 is shutting down' });
  });
});
