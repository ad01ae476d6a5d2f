// The forwarder (real smee-client) between the smee.io stand-in and a recording target that stands
// in for the master's /change_hook/github.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmeeForwarder, type ForwarderLogger, type SmeeForwarder } from '../../../master/smee/smee-forwarder.js';
import { startSmeeRelay, type SmeeRelay } from '../../support/smee-relay.js';
import { postBytes, startRecordingTarget, waitFor, type RecordingTarget } from '../../support/smee-target.js';
import { examplePayload, verifyBody, webhookHeaders } from '../../support/sign-webhook.js';

const SECRET = 'forwarder-test-secret';

const deliver = async (url: string, bytes: string, headers: Record<string, string>) =>
  (await postBytes(url, bytes, headers)).status;

function quietLogger(): ForwarderLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

describe('smee forwarder', () => {
  let relay: SmeeRelay;
  let target: RecordingTarget;
  let forwarder: SmeeForwarder | undefined;
  let channel: string;
  let logger: ReturnType<typeof quietLogger>;

  beforeEach(async () => {
    relay = await startSmeeRelay({ pingIntervalMs: 200 });
    target = await startRecordingTarget();
    channel = relay.newChannel();
    logger = quietLogger();
  });
  afterEach(async () => {
    await forwarder?.close();
    forwarder = undefined;
    await relay.close();
    await target.close();
  });

  const start = async (options: { idleTimeoutMs?: number } = {}) => {
    const backoff = { minBackoffMs: 50, maxBackoffMs: 400 };
    forwarder = startSmeeForwarder({ source: channel, target: target.url, logger, ...backoff, ...options });
    await waitFor(() => forwarder!.state().connected && relay.subscriberCount(channel) === 1, 5000, 'the forwarder to subscribe');
    return forwarder;
  };

  it('delivers a signed delivery with its signature headers intact, and the bytes verify', async () => {
    const f = await start();
    const bytes = JSON.stringify(examplePayload('pull_request', 'opened'));
    const headers = webhookHeaders('pull_request', bytes, SECRET);
    expect(await deliver(channel, bytes, headers)).toBe(200);

    const [got] = await target.waitForRequests(1);
    expect(got!.method).toBe('POST');
    expect(got!.url).toBe('/change_hook/github');
    for (const name of ['x-github-event', 'x-github-delivery', 'x-hub-signature', 'x-hub-signature-256', 'user-agent']) {
      expect(got!.headers[name], name).toBe(headers[name]);
    }
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.body.toString('utf8')).toBe(bytes);
    expect(verifyBody(SECRET, got!.body, got!.headers)).toEqual({ sha256: true, sha1: true });
    expect(verifyBody('wrong', got!.body, got!.headers)).toEqual({ sha256: false, sha1: false });

    const state = f.state();
    expect(state).toMatchObject({ connected: true, url: channel, events: 1, reconnects: 0, lastError: null });
    expect(Date.now() - Date.parse(state.lastEventAt!)).toBeLessThan(5000);
    // smee-client logs each forward once the target has answered.
    await waitFor(() => logger.lines.includes(`info smee: POST ${target.url} - 200`), 2000, 'the forward log line');
  });

  it('reconnects after the relay restarts mid-stream, and the next delivery arrives', async () => {
    const f = await start();
    const first = JSON.stringify({ zen: 'first', hook_id: 1 });
    await deliver(channel, first, webhookHeaders('ping', first, SECRET));
    await target.waitForRequests(1);

    await relay.restart(300); // down for a while: the first reconnect attempts are refused
    await waitFor(() => !f.state().connected, 2000, 'the drop to be noticed');
    await waitFor(() => f.state().connected && relay.subscriberCount(channel) === 1, 10_000, 'the reconnect');

    const second = JSON.stringify(examplePayload('issue_comment', 'created'));
    const headers = webhookHeaders('issue_comment', second, SECRET);
    expect(await deliver(channel, second, headers)).toBe(200);
    const requests = await target.waitForRequests(2);
    expect(requests[1]!.headers['x-github-delivery']).toBe(headers['x-github-delivery']);
    expect(verifyBody(SECRET, requests[1]!.body, requests[1]!.headers)).toEqual({ sha256: true, sha1: true });

    const state = f.state();
    expect(state.reconnects).toBeGreaterThanOrEqual(1);
    expect(state.events).toBe(2);
    // The drop was said while it lasted; connected again, no stale error is left.
    expect(state.lastError).toBeNull();
    expect(logger.lines.some((l) => l.startsWith(`warn smee: ${channel} unavailable`))).toBe(true);
  });

  it('counts what the master took, refused and could not take, and keeps the last answer', async () => {
    const f = await start();
    const send = async (zen: string) => {
      const bytes = JSON.stringify({ zen, hook_id: 1 });
      expect(await deliver(channel, bytes, webhookHeaders('ping', bytes, SECRET))).toBe(200);
    };
    await send('taken');
    await target.waitForRequests(1);
    await waitFor(() => f.state().forwarded === 1, 2000, 'the first forward to be counted');
    expect(f.state()).toMatchObject({ forwarded: 1, refused: 0, failed: 0, lastFailure: null });

    target.respondWith(401, '{"error":"signature does not match"}');
    await send('altered');
    await waitFor(() => f.state().refused === 1, 5000, 'the refusal to be counted');
    const refused = f.state().lastFailure!;
    expect(refused.status).toBe(401);
    expect(refused.error).toContain('signature does not match');
    expect(Date.now() - Date.parse(refused.at)).toBeLessThan(5000);

    await target.close(); // the master is gone: nothing answers
    await send('unreachable');
    await waitFor(() => f.state().failed === 1, 5000, 'the failure to be counted');
    expect(f.state().lastFailure).toMatchObject({ status: null });
    expect(f.state()).toMatchObject({ forwarded: 1, refused: 1, connected: true });
    target = await startRecordingTarget(); // for afterEach
  });

  it('keeps retrying, with backoff, while the channel answers an error', async () => {
    channel = `${relay.url}/bad.channel`; // the relay answers 400: EventSource alone would give up for good
    forwarder = startSmeeForwarder({ source: channel, target: target.url, logger, minBackoffMs: 50, maxBackoffMs: 200 });
    await waitFor(() => logger.lines.filter((l) => l.startsWith('warn')).length >= 4, 5000, 'several retries');
    expect(forwarder.state()).toMatchObject({ connected: false, reconnects: 0 });
    expect(forwarder.state().lastError).toMatch(/400/);
    const delays = logger.lines.filter((l) => l.startsWith('warn')).map((l) => Number(/in (\d+) ms$/.exec(l)![1]));
    expect(delays[0]).toBe(50); // attempt 0 waits exactly minBackoffMs
    expect(delays[1]).toBeGreaterThanOrEqual(50);
    expect(delays[1]).toBeLessThanOrEqual(100);
    expect(delays[2]).toBeGreaterThanOrEqual(100);
    for (const d of delays.slice(2)) expect(d).toBeLessThanOrEqual(200);
  });

  it('reconnects when the stream goes silent (no pings)', async () => {
    await relay.close();
    relay = await startSmeeRelay({ port: relay.port, pingIntervalMs: 0 });
    const f = await start({ idleTimeoutMs: 300 });
    await waitFor(() => f.state().reconnects >= 1, 5000, 'an idle reconnect');
    expect(logger.lines.some((l) => l.includes('no ping from the channel'))).toBe(true);
  });

  it('stops for good on close()', async () => {
    const f = await start();
    await f.close();
    forwarder = undefined;
    await waitFor(() => relay.subscriberCount(channel) === 0, 2000, 'the unsubscribe');
    const bytes = '{"zen":"after close"}';
    expect(await deliver(channel, bytes, webhookHeaders('ping', bytes, SECRET))).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(target.requests).toHaveLength(0);
    expect(f.state().connected).toBe(false);
  });
});
