// Saved deliveries end to end: `gatehouse sign` writes one, `gatehouse send` posts it to a target
// directly or to a smee channel that the forwarder relays.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendCommand } from '../../../master/deliveries/send-command.js';
import { signCommand } from '../../../master/deliveries/sign-command.js';
import { startSmeeForwarder } from '../../../master/smee/smee-forwarder.js';
import { startSmeeRelay } from '../../support/smee-relay.js';
import { startRecordingTarget, waitFor, type RecordingTarget } from '../../support/smee-target.js';
import { examplePayload, verifyBody } from '../../support/sign-webhook.js';

const SECRET = 'send-test-secret';

function capture() {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
}

describe('sign → send', () => {
  let dir: string;
  let target: RecordingTarget;
  let saved: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-send-'));
    target = await startRecordingTarget();
    const payloadFile = join(dir, 'payload.json');
    await writeFile(payloadFile, JSON.stringify(examplePayload('pull_request', 'synchronize'), null, 2));
    const out = capture();
    const env = { WEBHOOK_SECRET: SECRET };
    const code = await signCommand({
      secretEnv: 'WEBHOOK_SECRET', event: 'pull_request', payloadFile, env, stdout: out, stderr: capture(),
    });
    expect(code).toBe(0);
    saved = join(dir, 'test-ok');
    await writeFile(saved, out.text);
  });
  afterEach(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts a saved delivery to the target, where it verifies', async () => {
    const stdout = capture();
    const stderr = capture();
    expect(await sendCommand({ url: target.url, file: saved, stdout, stderr })).toBe(0);
    expect(stderr.text).toBe('');
    expect(stdout.text).toMatch(/^pull_request [0-9a-f-]{36} → 200\n\{"ok":true\}\n$/);
    const [got] = await target.waitForRequests(1);
    expect(got!.headers['x-github-event']).toBe('pull_request');
    expect(JSON.parse(got!.body.toString('utf8'))).toEqual(examplePayload('pull_request', 'synchronize'));
    expect(verifyBody(SECRET, got!.body, got!.headers)).toEqual({ sha256: true, sha1: true });
    expect(verifyBody('not-the-secret', got!.body, got!.headers)).toEqual({ sha256: false, sha1: false });
  });

  it('posts it to a smee channel, and the forwarder delivers it still verifying', async () => {
    const relay = await startSmeeRelay();
    const channel = relay.newChannel();
    const forwarder = startSmeeForwarder({ source: channel, target: target.url, logger: { info() {}, warn() {}, error() {} } });
    try {
      await waitFor(() => relay.subscriberCount(channel) === 1, 5000, 'the forwarder');
      expect(await sendCommand({ url: channel, file: saved, stdout: capture(), stderr: capture() })).toBe(0);
      const [got] = await target.waitForRequests(1);
      expect(verifyBody(SECRET, got!.body, got!.headers)).toEqual({ sha256: true, sha1: true });
      expect(forwarder.state().events).toBe(1);
    } finally {
      await forwarder.close();
      await relay.close();
    }
  });

  it('exits non-zero on a non-2xx answer and prints it', async () => {
    target.respondWith(401, '{"error":"signature does not match"}');
    const stdout = capture();
    expect(await sendCommand({ url: target.url, file: saved, stdout, stderr: capture() })).toBe(1);
    expect(stdout.text).toMatch(/→ 401\n\{"error":"signature does not match"\}\n$/);
  });

  it('exits non-zero when nothing listens, and on an unreadable file', async () => {
    const url = target.url;
    await target.close();
    const stderr = capture();
    expect(await sendCommand({ url, file: saved, stdout: capture(), stderr })).toBe(1);
    expect(stderr.text).toMatch(/ECONNREFUSED/);
    target = await startRecordingTarget();
    await writeFile(saved, '{"body": {}}');
    const stderr2 = capture();
    expect(await sendCommand({ url: target.url, file: saved, stdout: capture(), stderr: stderr2 })).toBe(2);
    expect(stderr2.text).toMatch(/missing the "x-github-event" header/);
    expect(await sendCommand({ url: 'smee.io/abc', file: saved, stdout: capture(), stderr: capture() })).toBe(2);
  });
});
