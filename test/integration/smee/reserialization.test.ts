// What smee's parse-and-re-serialize does to the bytes, and so to the signature.
//
// The relay parses each POST body and the forwarder posts `JSON.stringify(body)`. A signature
// survives only when the sender's bytes already are what JSON.stringify writes. GitHub sends
// compact JSON with raw UTF-8, so nearly everything survives, but GitHub writes the escape of a
// control character with upper-case hex (`\u001B`, as octokit/webhooks.js#71 and #72 found: their
// fix upper-cased JSON.stringify's escapes to make GitHub's signatures verify), while
// JSON.stringify writes lower-case (`\u001b`). Such a delivery arrives altered and must be refused
// like a forgery; the reconcile loop builds that PR anyway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmeeForwarder, type SmeeForwarder } from '../../../master/smee/smee-forwarder.js';
import { startSmeeRelay, type SmeeRelay } from '../../support/smee-relay.js';
import { postBytes, startRecordingTarget, waitFor, type RecordingTarget } from '../../support/smee-target.js';
import { verifyBody, webhookHeaders } from '../../support/sign-webhook.js';

const SECRET = 'reserialization-secret';
const quiet = { info() {}, warn() {}, error() {} };

const deliver = async (url: string, bytes: string, headers: Record<string, string>) =>
  (await postBytes(url, bytes, headers)).status;

describe('bodies re-serialized by smee', () => {
  let relay: SmeeRelay;
  let target: RecordingTarget;
  let forwarder: SmeeForwarder;
  let channel: string;

  beforeAll(async () => {
    relay = await startSmeeRelay();
    target = await startRecordingTarget();
    channel = relay.newChannel();
    forwarder = startSmeeForwarder({ source: channel, target: target.url, logger: quiet });
    await waitFor(() => relay.subscriberCount(channel) === 1, 5000, 'the forwarder');
  });
  afterAll(async () => {
    await forwarder.close();
    await relay.close();
    await target.close();
  });

  /** Sends `bytes` signed through relay and forwarder; returns what the target got. */
  async function relayed(bytes: string) {
    const before = target.requests.length;
    expect(await deliver(channel, bytes, webhookHeaders('issue_comment', bytes, SECRET))).toBe(200);
    const got = (await target.waitForRequests(before + 1))[before]!;
    return { text: got.body.toString('utf8'), verifies: verifyBody(SECRET, got.body, got.headers) };
  }

  it('JSON.stringify escapes a control character with lower-case hex', () => {
    expect(JSON.stringify({ body: 'red \u001b[31m' })).toBe('{"body":"red \\u001b[31m"}');
  });

  it('a control character written as GitHub does (\\u001B) arrives altered and no longer verifies', async () => {
    const github = '{"action":"created","comment":{"body":"build log: \\u001B[31mFAILED\\u001B[0m"}}';
    const got = await relayed(github);
    expect(got.text).toBe('{"action":"created","comment":{"body":"build log: \\u001b[31mFAILED\\u001b[0m"}}');
    expect(got.text.toLowerCase()).toBe(github.toLowerCase()); // only the case of the escapes changed
    expect(got.verifies).toEqual({ sha256: false, sha1: false });
  });

  it('the same text in the compact form JSON.stringify writes still verifies', async () => {
    const compact = JSON.stringify({ action: 'created', comment: { body: 'build log: \u001b[31mFAILED\u001b[0m' } });
    const got = await relayed(compact);
    expect(got.text).toBe(compact);
    expect(got.verifies).toEqual({ sha256: true, sha1: true });
  });

  it.each([
    ['raw UTF-8 and emoji', '{"title":"Café ✅ 👍","n":1}', true],
    ['escaped quotes, backslashes and newlines', '{"body":"a \\"b\\" c\\\\d\\r\\ne\\tf"}', true],
    ['an escaped non-ASCII character', '{"name":"Caf\\u00e9"}', false],
    ['an escaped solidus', '{"url":"https:\\/\\/example.com"}', false],
    ['pretty-printed JSON', '{\n  "zen": "x"\n}', false],
    ['a number written 1.0', '{"n":1.0}', false],
  ])('%s: survives = %s', async (_what, bytes, survives) => {
    const got = await relayed(bytes);
    expect(got.text === bytes).toBe(survives);
    expect(got.verifies.sha256).toBe(survives);
  });
});
