import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSavedDelivery } from '../../../master/deliveries/saved-delivery.js';
import { signCommand, type SignCommandOptions } from '../../../master/deliveries/sign-command.js';
import { examplePayload, verifyBody } from '../../support/sign-webhook.js';

const SECRET = 'unit-secret';

function capture() {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
}

describe('signCommand', () => {
  let dir: string;
  let payloadFile: string;
  /** Runs the command with defaults (secret in S, event pull_request); returns code and output. */
  async function sign(options: Partial<SignCommandOptions> = {}) {
    const stdout = capture();
    const stderr = capture();
    const defaults = { secretEnv: 'S', event: 'pull_request', payloadFile, env: { S: SECRET } };
    const code = await signCommand({ ...defaults, stdout, stderr, ...options });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-sign-'));
    payloadFile = join(dir, 'payload.json');
    await writeFile(payloadFile, JSON.stringify(examplePayload('pull_request', 'opened'), null, 2));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one line: a saved delivery signed over the compact body', async () => {
    const { code, stdout, stderr } = await sign({ secretEnv: 'GH_SECRET', env: { GH_SECRET: SECRET } });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const parsed = parseSavedDelivery(stdout);
    expect(parsed.headers['x-github-event']).toBe('pull_request');
    expect(parsed.body).toEqual(examplePayload('pull_request', 'opened'));
    expect(verifyBody(SECRET, parsed.rawBody, parsed.headers)).toEqual({ sha256: true, sha1: true });
    expect(verifyBody('another-secret', parsed.rawBody, parsed.headers)).toEqual({ sha256: false, sha1: false });
    expect(stdout).not.toContain(SECRET);
  });

  it('writes only x-hub-signature with --sha1-only', async () => {
    const parsed = parseSavedDelivery((await sign({ sha1Only: true })).stdout);
    expect(verifyBody(SECRET, parsed.rawBody, parsed.headers)).toEqual({ sha256: null, sha1: true });
  });

  it('refuses, naming the variable, when the secret variable is unset or empty', async () => {
    for (const env of [{}, { GH_SECRET: '' }]) {
      const { code, stdout, stderr } = await sign({ secretEnv: 'GH_SECRET', env });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/environment variable GH_SECRET is (not set|empty)/);
    }
  });

  it('refuses a malformed event name', async () => {
    expect(await sign({ event: 'pull request' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/not a GitHub event/) });
  });

  it('says when the payload is missing or not JSON', async () => {
    expect(await sign({ payloadFile: join(dir, 'nope.json') })).toMatchObject({
      code: 1, stdout: '', stderr: expect.stringMatching(/nope\.json cannot be read/),
    });
    await writeFile(payloadFile, '{"zen": ');
    expect(await sign()).toMatchObject({ code: 1, stderr: expect.stringMatching(/payload\.json is not JSON/) });
  });

  it('re-signs a saved delivery for another secret, keeping its body', async () => {
    const first = await sign({ env: { S: 'their-secret' } });
    await writeFile(payloadFile, first.stdout);
    const second = await sign();
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/re-signing/);
    const parsed = parseSavedDelivery(second.stdout);
    expect(parsed.body).toEqual(parseSavedDelivery(first.stdout).body);
    expect(verifyBody(SECRET, parsed.rawBody, parsed.headers)).toEqual({ sha256: true, sha1: true });
    expect((await sign({ event: 'issue_comment' })).stderr).toMatch(/saved pull_request delivery, not issue_comment/);
  });
});
