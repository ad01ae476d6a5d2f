// The smee.io stand-in itself: its protocol and its validations, checked with plain HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmeeRelay, type SmeeRelay } from '../../support/smee-relay.js';
import { postBytes, waitFor } from '../../support/smee-target.js';
import { signBody } from '../../support/sign-webhook.js';

const UUID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  postBytes(url, body, { 'content-type': 'application/json', ...headers });

/** Opens a stream on `url` and collects the raw SSE text. */
async function subscribe(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  const stream = { status: res.status, type: res.headers.get('content-type'), text: '', close: () => controller.abort() };
  const reader = res.body!.getReader();
  void (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      stream.text += decoder.decode(value, { stream: true });
    }
  })();
  return stream;
}

describe('smee relay stand-in', () => {
  let relay: SmeeRelay;
  beforeEach(async () => { relay = await startSmeeRelay({ pingIntervalMs: 100 }); });
  afterEach(() => relay.close());

  it('redirects /new to a fresh channel with 307', async () => {
    const res = await fetch(`${relay.url}/new`, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${relay.url}/[A-Za-z0-9_-]{16}$`));
  });

  it('streams ready, one flat JSON message per POST, and pings', async () => {
    const channel = relay.newChannel();
    const stream = await subscribe(channel);
    expect([stream.status, stream.type]).toEqual([200, 'text/event-stream']);
    await waitFor(() => relay.subscriberCount(channel) === 1, 2000, 'the subscriber');
    const body = '{"zen":"Design for failure.","hook_id":1}';
    const headers = { 'x-github-event': 'ping', 'x-github-delivery': UUID, ...signBody('s', body) };
    const res = await post(`${channel}?x=1`, body, headers);
    expect(res.status).toBe(200);
    await waitFor(() => stream.text.includes('data: {"') && stream.text.includes('event: ping'), 2000, 'message and ping');
    expect(stream.text.startsWith('id: 0\nevent: ready\ndata: {}\n\n')).toBe(true);
    const line = stream.text.split('\n').find((l) => l.startsWith('data: {"'))!;
    const message = JSON.parse(line.slice('data: '.length));
    expect(message).toMatchObject({
      'x-github-event': 'ping', 'x-github-delivery': UUID, 'x-hub-signature-256': signBody('s', body)['x-hub-signature-256'],
      'content-type': 'application/json', body: { zen: 'Design for failure.', hook_id: 1 }, query: { x: '1' },
    });
    expect(typeof message.timestamp).toBe('number');
    stream.close();
    await waitFor(() => relay.subscriberCount() === 0, 2000, 'the unsubscribe');
  });

  it('answers 200 and drops a POST nobody listens to', async () => {
    expect((await post(relay.newChannel(), '{"a":1}')).status).toBe(200);
    expect(relay.relayed()).toBe(0);
  });

  it.each([
    ['form-encoded bodies', 'payload=%7B%7D', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['a non-object JSON body', '[1,2]', {}, 400],
    ['a text body', 'hello', { 'content-type': 'text/plain' }, 400],
    ['broken JSON', '{"a":', {}, 400],
    ['a non-UUID delivery id', '{}', { 'x-github-delivery': '12345' }, 400],
    ['a malformed x-hub-signature-256', '{}', { 'x-hub-signature-256': 'sha256=abc' }, 400],
    ['a body over 1 MiB', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), {}, 413],
  ])('refuses %s', async (_what, body, headers, status) => {
    const channel = relay.newChannel();
    const stream = await subscribe(channel);
    await waitFor(() => relay.subscriberCount(channel) === 1, 2000, 'the subscriber');
    expect((await post(channel, body, headers)).status).toBe(status);
    expect(relay.relayed()).toBe(0);
    stream.close();
  });

  it('accepts a body of just under 1 MiB', async () => {
    const channel = relay.newChannel();
    const stream = await subscribe(channel);
    await waitFor(() => relay.subscriberCount(channel) === 1, 2000, 'the subscriber');
    const body = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 - 20) });
    expect((await post(channel, body)).status).toBe(200);
    expect(relay.relayed()).toBe(1);
    stream.close();
  });

  it('restarts on the same port, dropping the streams', async () => {
    const channel = relay.newChannel();
    const stream = await subscribe(channel);
    await waitFor(() => relay.subscriberCount(channel) === 1, 2000, 'the subscriber');
    await relay.restart();
    expect(relay.subscriberCount()).toBe(0);
    expect((await fetch(`${relay.url}/new`, { redirect: 'manual' })).status).toBe(307);
    stream.close();
  });
});
