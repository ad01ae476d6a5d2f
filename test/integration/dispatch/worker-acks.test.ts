// The master acks a worker's messages cumulatively: those it reads off the socket at once get one
// ack (the highest seq) after all of them are applied, not one ack frame each.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWorker } from '../../ui/fake-worker.js';
import { prPayload, startUiMaster, type UiMaster } from '../../ui/ui-master.js';

describe('acks to a worker', () => {
  let master: UiMaster | undefined;
  let worker: FakeWorker | undefined;
  afterEach(async () => {
    worker?.close();
    await master?.stop();
  });

  it('are one for the messages of one read, with the last seq, and every message is applied', async () => {
    master = await startUiMaster();
    worker = await FakeWorker.connect(master.url, 'w1');
    expect((await master.send('pull_request', prPayload(7, 'a'.repeat(40)))).status).toBe(200);
    const build = await worker.build(0);
    const [first, second] = build.steps.map((s) => ({ id: s.id, name: s.name })) as Array<{ id: string; name: string }>;
    if (!first || !second) throw new Error('the unit builder has two steps');
    const { buildId } = build;

    await worker.stepStarted(buildId, first.id, first.name);
    expect(worker.acks).toEqual([1]);
    await worker.sendTogether([
      { type: 'log', buildId, step: first.id, stream: 'stdout', data: 'compiled\n' },
      { type: 'step.finished', buildId, step: first.id, result: 'success', exitCode: 0, durationMs: 5 },
      { type: 'step.finished', buildId, step: second.id, result: 'skipped', exitCode: null, durationMs: 0 },
      { type: 'build.finished', buildId, result: 'success' },
    ]);
    expect(worker.acks).toEqual([1, 5]);

    const { builds } = (await (await fetch(`${master.url}/api/v2/builds/${buildId}`)).json()) as { builds: Array<{ state: string; result: string }> };
    expect([builds[0]?.state, builds[0]?.result]).toEqual(['finished', 'success']);
    expect(await (await fetch(`${master.url}/api/v2/builds/${buildId}/steps/${first.id}/log`)).text()).toBe('compiled\n');
  });
});
