import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_SECRETS, TEST_REPO } from '../../support/test-config.js';
import { examplePayload, signBody, webhookHeaders } from '../../support/sign-webhook.js';

const SECRET = TEST_SECRETS.GH_WEBHOOK_SECRET;

function prOpened() {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO; // same-repo PR: no approval needed
  return p;
}

describe('POST /change_hook/github', () => {
  let master: TestMaster;
  beforeEach(async () => {
    master = await startTestMaster();
  });
  afterEach(async () => master.stop());

  async function post(body: string | Buffer, headers: Record<string, string>) {
    const res = await master.app.inject({ method: 'POST', url: '/change_hook/github', payload: body, headers });
    await master.processor.kick();
    return res;
  }
  const counts = async () => ({
    deliveries: (await master.get<{ meta: { total: number } }>('/api/v2/deliveries')).meta.total,
    builds: (await master.get<{ meta: { total: number } }>('/api/v2/builds')).meta.total,
    changes: (await master.get<{ meta: { total: number } }>('/api/v2/changes')).meta.total,
  });

  it('accepts a good sha256 signature and queues a build', async () => {
    const body = JSON.stringify(prOpened());
    const res = await post(body, webhookHeaders('pull_request', body, SECRET));
    expect(res.statusCode).toBe(200);
    const builds = await master.get<{ builds: Array<{ state: string; builder: string; pr: number }> }>('/api/v2/builds');
    expect(builds.builds).toMatchObject([{ state: 'queued', builder: 'unit', pr: 2 }]);
  });

  it('accepts a good sha1 signature when no sha256 is sent', async () => {
    const body = JSON.stringify(prOpened());
    const res = await post(body, webhookHeaders('pull_request', body, SECRET, { sha1Only: true }));
    expect(res.statusCode).toBe(200);
    expect((await counts()).builds).toBe(1);
  });

  const refused: Array<[string, (body: string) => Record<string, string>]> = [
    ['a wrong sha256 signature', (b) => webhookHeaders('pull_request', b, 'another-secret')],
    ['a wrong sha1 signature', (b) => webhookHeaders('pull_request', b, 'another-secret', { sha1Only: true })],
    ['no signature', (b) => webhookHeaders('pull_request', b, SECRET, { noSignature: true })],
    ['a good sha1 beside a wrong sha256', (b) => ({ ...webhookHeaders('pull_request', b, SECRET), 'x-hub-signature-256': signBody('x', b)['x-hub-signature-256'] })],
  ];
  for (const [name, headers] of refused) {
    it(`refuses ${name} with 401 and records nothing`, async () => {
      const body = JSON.stringify(prOpened());
      const res = await post(body, headers(body));
      expect(res.statusCode).toBe(401);
      expect(await counts()).toEqual({ deliveries: 0, builds: 0, changes: 0 });
    });
  }

  it('refuses a body altered by one byte after signing', async () => {
    const body = JSON.stringify(prOpened());
    const headers = webhookHeaders('pull_request', body, SECRET);
    const altered = Buffer.from(body);
    altered[altered.length - 2] = altered[altered.length - 2] === 0x31 ? 0x32 : 0x31;
    const res = await post(altered, headers);
    expect(res.statusCode).toBe(401);
    expect(await counts()).toEqual({ deliveries: 0, builds: 0, changes: 0 });
  });

  it('accepts a form-encoded body signed over its raw bytes', async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify(prOpened()))}`;
    const headers = { ...webhookHeaders('pull_request', form, SECRET), 'content-type': 'application/x-www-form-urlencoded' };
    const res = await post(form, headers);
    expect(res.statusCode).toBe(200);
    expect((await counts()).builds).toBe(1);
  });

  it('answers a repeated delivery id with 200 and changes nothing', async () => {
    const deliveryId = randomUUID();
    const first = await master.send('pull_request', prOpened(), { deliveryId });
    expect(first.status).toBe(200);
    const before = await counts();
    const again = await master.send('pull_request', prOpened(), { deliveryId });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('rejects malformed JSON with 400 and records nothing', async () => {
    const body = '{"action": "opened", ';
    const res = await post(body, webhookHeaders('pull_request', body, SECRET));
    expect(res.statusCode).toBe(400);
    expect(await counts()).toEqual({ deliveries: 0, builds: 0, changes: 0 });
  });

  it('rejects a payload missing a field it needs with 400', async () => {
    const p = prOpened();
    delete p.pull_request.head;
    const res = await master.send('pull_request', p);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toContain('pull_request.head');
    expect(await counts()).toEqual({ deliveries: 0, builds: 0, changes: 0 });
  });

  it('rejects bodies over 25 MB with 413', async () => {
    const body = Buffer.alloc(25 * 1024 * 1024 + 10, 0x20);
    const res = await post(body, webhookHeaders('pull_request', body, SECRET));
    expect(res.statusCode).toBe(413);
    expect((await counts()).deliveries).toBe(0);
  });

  it('rejects other content types with 415', async () => {
    const body = JSON.stringify(prOpened());
    const res = await post(body, { ...webhookHeaders('pull_request', body, SECRET), 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
  });

  it('answers ping with 200', async () => {
    const res = await master.send('ping', examplePayload('ping'));
    expect(res.status).toBe(200);
    expect((await counts()).builds).toBe(0);
  });

  it('answers an unhandled event with 202 and records it as ignored', async () => {
    const res = await master.send('issues', { action: 'opened', repository: { full_name: TEST_REPO } });
    expect(res.status).toBe(202);
    const d = await master.get<{ deliveries: Array<{ event: string; outcome: string; detail: string }> }>('/api/v2/deliveries');
    expect(d.deliveries).toMatchObject([{ event: 'issues', outcome: 'ignored', detail: 'event issues is not handled' }]);
  });

  it('records an unhandled pull_request action as ignored, with 202', async () => {
    const p = examplePayload('pull_request', 'assigned');
    const res = await master.send('pull_request', p);
    expect(res.status).toBe(202);
    const d = await master.get<{ deliveries: Array<{ action: string; outcome: string }> }>('/api/v2/deliveries');
    expect(d.deliveries).toMatchObject([{ action: 'assigned', outcome: 'ignored' }]);
    expect((await counts()).builds).toBe(0);
  });

  it('accepts a webhook signed with a previous secret during rotation', async () => {
    await master.stop();
    master = await startTestMaster({
      github: { repo: TEST_REPO, webhookSecret: { env: 'ADMIN_TOKEN' }, previousWebhookSecrets: [{ env: 'GH_WEBHOOK_SECRET' }] },
    });
    const res = await master.send('pull_request', prOpened());
    expect(res.status).toBe(200);
  });
});
