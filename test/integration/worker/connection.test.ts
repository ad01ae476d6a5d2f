// The worker against a test master on 127.0.0.1: authentication, refusal, and resuming after the
// link (or the whole master) goes away mid-build without losing or repeating a message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../shared/protocol.js';
import { WorkerRefusedError } from '../../../worker/connection.js';
import { createDummyExecutor } from '../../../worker/executor/dummy-executor.js';
import { type RunningWorker, startWorker, type WorkerOptions } from '../../../worker/worker.js';
import { buildSpec, captureLogger, type CapturedLogger, step, waitUntil } from '../../support/worker-build-spec.js';
import { startTestMaster, type TestMaster } from '../../support/worker-test-master.js';

let master: TestMaster;
let worker: RunningWorker | undefined;
let logger: CapturedLogger;

beforeEach(async () => {
  master = await startTestMaster({ workers: { w1: 'right-secret' } });
  logger = captureLogger();
});

afterEach(async () => {
  await worker?.close({ graceMs: 2000 });
  worker = undefined;
  await master.close();
});

function start(options: Partial<WorkerOptions> = {}): RunningWorker {
  worker = startWorker({
    name: 'w1',
    secret: 'right-secret',
    masterUrl: master.url,
    slots: 2,
    labels: ['fast'],
    executors: { host: createDummyExecutor() }, // scripted steps: what is under test is around the executor
    logger,
    backoff: { baseMs: 50, maxMs: 200 },
    ...options,
  });
  return worker;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker connection', () => {
  it('says hello with its name, slots, labels, arch and version, and gets welcomed', async () => {
    const w = start();
    await waitUntil(() => master.hellos.length === 1, 'hello');
    expect(master.hellos[0]).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION, name: 'w1', instanceId: w.instanceId, slots: 2, labels: ['fast'], running: [], images: [] });
    expect(master.hellos[0]?.arch).toHaveLength(1);
    expect(master.hellos[0]?.version).toMatch(/^\d+\.\d+\.\d+/);
    await waitUntil(() => logger.lines.some((l) => l.includes('connected to the master')), 'the welcome');
  });

  it('is refused with 401 for a wrong secret, logs why, keeps retrying, and gets in once the secret matches', async () => {
    start({ secret: 'wrong-secret' });
    await waitUntil(() => master.unauthorized >= 3, 'three refused attempts');
    expect(master.upgrades).toBe(0);
    expect(logger.lines.filter((l) => l.startsWith('error master refused worker w1: wrong name or secret (HTTP 401')).length).toBeGreaterThanOrEqual(2);
    master.workers.w1 = 'wrong-secret'; // the operator fixes the config
    await waitUntil(() => master.hellos.length === 1, 'hello after the fix');
  });

  it('stops for good when the master speaks another protocol, saying which side to upgrade', async () => {
    master.protocol = PROTOCOL_VERSION + 1;
    const w = start();
    await expect(w.stopped).rejects.toThrow(WorkerRefusedError);
    await expect(w.stopped).rejects.toThrow(`this master speaks protocol ${PROTOCOL_VERSION + 1}, the worker ${PROTOCOL_VERSION}: upgrade gatehouse on the worker`);
    await sleep(400);
    expect(master.upgrades).toBe(1);
    expect(logger.lines.some((l) => l.startsWith('error master refused worker w1: this master speaks protocol'))).toBe(true);
  });

  it('refuses by itself a welcome of another protocol (a master too old to check)', async () => {
    master.welcomeProtocol = PROTOCOL_VERSION + 1;
    const w = start();
    await expect(w.stopped).rejects.toThrow(`the master speaks protocol ${PROTOCOL_VERSION + 1}, this worker ${PROTOCOL_VERSION}: upgrade gatehouse on this worker`);
  });

  it('resends exactly the unstored messages after the master goes away mid-build and comes back', async () => {
    const w = start();
    await waitUntil(() => master.connected && master.hellos.length === 1, 'hello');
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
    master.send({ type: 'build.start', build: buildSpec([step('0', 'count', { run: 'repeat 40: echo "line $i"; sleep 0.04' })], { buildId: 5 }) });

    await waitUntil(() => master.log.log(5, '0').includes('line 5\n'), 'some output');
    master.autoAck = false; // what arrives from now on is stored but not acked
    await waitUntil(() => master.log.log(5, '0').includes('line 12\n'), 'more output');
    await master.stop();
    // The master crashed before committing its last messages: the worker must send them again.
    expect(master.forgetUnacked(3)).toBe(3);
    await sleep(300); // the step goes on printing while nobody listens
    master.autoAck = true;
    await master.start();

    await waitUntil(() => master.log.buildFinished(5).length === 1, 'build.finished', 15_000);
    const log = master.log;
    expect(log.log(5, '0')).toBe(lines.map((l) => `${l}\n`).join(''));
    const seqs = [...master.stored.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(master.duplicates).toEqual([]);
    expect(master.belowAck).toEqual([]);
    expect(log.buildFinished(5)).toEqual([expect.objectContaining({ result: 'success' })]);
    expect(master.hellos.length).toBeGreaterThanOrEqual(2);
    expect(master.hellos[1]).toMatchObject({ instanceId: w.instanceId, running: [5] });
  });

  it('dials again after a 1013 (the master could not store a message), backing off until the master stores one', async () => {
    // Pinned jitter: each delay is its ceiling, so the logged delays show whether the backoff grew.
    start({ backoff: { baseMs: 100, maxMs: 800, random: () => 0.999 } });
    await waitUntil(() => master.connected && master.hellos.length === 1, 'hello');
    master.send({ type: 'build.start', build: buildSpec([step('0', 'count', { run: 'repeat 30: echo "n$i"; sleep 0.02' })], { buildId: 7 }) });
    await waitUntil(() => master.log.log(7, '0').includes('n5\n'), 'n5');
    master.autoAck = false; // from here the master "stores" nothing it could ack
    for (let hellos = 1; hellos <= 4; hellos++) {
      await waitUntil(() => master.connected && master.hellos.length === hellos, `hello ${hellos}`);
      master.closeWith(1013, 'storage failed: send again later');
    }
    await waitUntil(() => master.connected && master.hellos.length === 5, 'hello 5');
    master.autoAck = true;
    master.ack();
    await waitUntil(() => master.log.buildFinished(7).length === 1, 'build.finished', 15_000);
    expect(master.log.log(7, '0')).toBe(Array.from({ length: 30 }, (_, i) => `n${i + 1}\n`).join(''));
    const delays = logger.lines.filter((l) => l.includes('could not store a message')).map((l) => Number(/retrying in ([0-9.]+)s/.exec(l)?.[1]));
    expect(delays).toEqual([0.1, 0.2, 0.4, 0.8]);
  });

  it('keeps streaming through a dropped socket without a master restart', async () => {
    start();
    await waitUntil(() => master.connected, 'connection');
    master.send({ type: 'build.start', build: buildSpec([step('0', 'count', { run: 'repeat 30: echo "n$i"; sleep 0.02' })], { buildId: 6 }) });
    for (const n of [5, 15, 25]) {
      await waitUntil(() => master.log.log(6, '0').includes(`n${n}\n`), `n${n}`);
      master.drop();
    }
    await waitUntil(() => master.log.buildFinished(6).length === 1, 'build.finished', 15_000);
    expect(master.log.log(6, '0')).toBe(Array.from({ length: 30 }, (_, i) => `n${i + 1}\n`).join(''));
    expect(master.duplicates).toEqual([]);
    expect(master.belowAck).toEqual([]);
  });

  it('drops and redials a link whose master stopped answering pings', async () => {
    await master.close();
    master = await startTestMaster({ workers: { w1: 'right-secret' }, autoPong: false });
    start({ pingIntervalMs: 100 });
    await waitUntil(() => master.upgrades >= 2, 'a second connection');
    expect(logger.lines.some((l) => l.startsWith('warn no pong from the master within 100 ms'))).toBe(true);
  });

  it('cancels a build the master lists in welcome.cancel after a reconnect; its always-step still runs', async () => {
    start();
    await waitUntil(() => master.connected, 'connection');
    master.send({
      type: 'build.start',
      build: buildSpec([step('0', 'long', { run: 'echo started; sleep 1000' }), step('1', 'post', { run: 'echo "post: $GATEHOUSE_RESULT"', always: true })], { buildId: 7 }),
    });
    await waitUntil(() => master.log.log(7, '0') === 'started\n', 'the step to start');
    master.cancelOnWelcome = [7];
    master.drop();
    await waitUntil(() => master.log.buildFinished(7).length === 1, 'build.finished');
    expect(master.log.finished(7, '0')).toMatchObject({ result: 'cancelled' });
    expect(master.log.log(7, '1')).toBe('post: cancelled\n');
    expect(master.log.buildFinished(7)[0]).toMatchObject({ result: 'cancelled' });
  });
});
