import { describe, expect, it } from 'vitest';
import {
  createSavedDelivery,
  parseSavedDeliveries,
  parseSavedDelivery,
  SavedDeliveryError,
} from '../../../master/deliveries/saved-delivery.js';
import { examplePayload, signBody, verifyBody } from '../../support/sign-webhook.js';

const SECRET = 'It’s a Secret to Everybody';

describe('createSavedDelivery', () => {
  it('signs the compact JSON bytes with both algorithms and a fresh UUID', () => {
    const payload = examplePayload('pull_request', 'opened');
    const saved = createSavedDelivery({ event: 'pull_request', payload, secret: SECRET });
    const bytes = JSON.stringify(payload);
    expect(saved['x-hub-signature-256']).toBe(signBody(SECRET, bytes)['x-hub-signature-256']);
    expect(saved['x-hub-signature']).toBe(signBody(SECRET, bytes)['x-hub-signature']);
    expect(saved['x-github-event']).toBe('pull_request');
    expect(saved['x-github-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(saved.body).toEqual(payload);
    expect(saved.query).toEqual({});
    expect(Math.abs(Number(saved.timestamp) - Date.now())).toBeLessThan(5000);
    const again = createSavedDelivery({ event: 'pull_request', payload, secret: SECRET });
    expect(again['x-github-delivery']).not.toBe(saved['x-github-delivery']);
  });

  it('matches GitHub’s documented test vector', () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!"
    expect(signBody("It's a Secret to Everybody", 'Hello, World!')['x-hub-signature-256']).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('writes only the sha1 signature when asked', () => {
    const payload = { zen: 'Keep it logically awesome.' };
    const saved = createSavedDelivery({ event: 'ping', payload, secret: SECRET, sha1Only: true });
    expect(saved['x-hub-signature-256']).toBeUndefined();
    expect(verifyBody(SECRET, '{"zen":"Keep it logically awesome."}', saved as never)).toEqual({ sha256: null, sha1: true });
  });

  it('refuses an empty secret, a non-UUID delivery id and a non-object payload', () => {
    expect(() => createSavedDelivery({ event: 'ping', payload: {}, secret: '' })).toThrow(/secret is empty/);
    expect(() => createSavedDelivery({ event: 'ping', payload: {}, secret: SECRET, deliveryId: '42' })).toThrow(/not a UUID/);
    expect(() => createSavedDelivery({ event: 'ping', payload: [] as never, secret: SECRET })).toThrow(/JSON object/);
  });
});

describe('parseSavedDelivery', () => {
  it('round-trips what createSavedDelivery writes', () => {
    const payload = examplePayload('issue_comment', 'created');
    const saved = createSavedDelivery({ event: 'issue_comment', payload, secret: SECRET });
    const parsed = parseSavedDelivery(JSON.stringify(saved, null, 2));
    expect(parsed.rawBody).toBe(JSON.stringify(saved.body));
    expect(verifyBody(SECRET, parsed.rawBody, parsed.headers)).toEqual({ sha256: true, sha1: true });
    expect(parsed.headers['x-github-delivery']).toBe(saved['x-github-delivery']);
    expect(parsed.headers['content-type']).toBe('application/json');
  });

  it('keeps what smee-client would send as headers, drops host and content-length', () => {
    const text = JSON.stringify({
      host: 'smee.io', 'content-length': '9999', 'X-GitHub-Event': 'ping', 'x-github-hook-id': 123,
      'content-type': 'application/x-www-form-urlencoded', body: { zen: 'z' }, query: { a: 'b' }, timestamp: 1,
    });
    const parsed = parseSavedDelivery(text);
    expect(parsed.headers).toEqual({
      'x-github-event': 'ping', 'x-github-hook-id': '123', 'content-type': 'application/json', timestamp: '1',
    });
    expect(parsed.query).toEqual({ a: 'b' });
  });

  it.each([
    ['not JSON', '{"x-github-event": "ping", body: {}}', /^not JSON/],
    ['an array', '[]', /JSON object of lower-case headers/],
    ['no event', '{"body": {}}', /missing the "x-github-event" header/],
    ['no body', '{"x-github-event": "ping"}', /"body" .* it is missing/],
    ['a string body', '{"x-github-event": "ping", "body": "payload=%7B%7D"}', /it is a string/],
    ['an array body', '{"x-github-event": "ping", "body": [1]}', /it is an array/],
  ])('says what is wrong with %s', (_name, text, message) => {
    expect(() => parseSavedDelivery(text)).toThrow(SavedDeliveryError);
    expect(() => parseSavedDelivery(text)).toThrow(message);
  });

  it('reads several deliveries saved as JSON lines, and names a bad line', () => {
    const a = createSavedDelivery({ event: 'ping', payload: { n: 1 }, secret: SECRET });
    const b = createSavedDelivery({ event: 'ping', payload: { n: 2 }, secret: SECRET });
    const parsed = parseSavedDeliveries(`${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`);
    expect(parsed.map((p) => p.rawBody)).toEqual(['{"n":1}', '{"n":2}']);
    expect(() => parseSavedDeliveries(`${JSON.stringify(a)}\n{"body":{}}\n`)).toThrow(/^line 2: missing/);
  });
});
