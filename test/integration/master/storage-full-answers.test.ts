// A request whose write hits a full database is answered 503 + Retry-After, stores nothing, and
// goes through when sent again once there is room. The database is held to its current size
// (max_page_count), which gives SQLite's own SQLITE_FULL without filling a disk.
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_SECRETS, TEST_REPO } from '../../support/test-config.js';
import { examplePayload, webhookHeaders } from '../../support/sign-webhook.js';
import { waitUntil } from '../../support/report-test-master.js';

function prOpened(n: number): string {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO;
  p.number = n;
  return JSON.stringify(p);
}

describe('a full database', () => {
  let master: TestMaster | undefined;
  afterEach(async () => master?.stop());

  it('answers a webhook 503 with Retry-After, and takes its redelivery once there is room', async () => {
    master = await startTestMaster();
    const m = master;
    m.db.pragma(`max_page_count = ${m.db.pragma('page_count', { simple: true }) as number}`);
    let refused: { headers: Record<string, string>; body: string; pr: number } | undefined;
    for (let pr = 1; pr <= 2000 && !refused; pr++) {
      const body = prOpened(pr);
      const headers = { ...webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET), 'x-github-delivery': randomUUID() };
      const res = await m.app.inject({ method: 'POST', url: '/change_hook/github', payload: body, headers });
      if (res.statusCode === 503) {
        expect(res.headers['retry-after']).toMatch(/^[0-9]+$/);
        expect(res.json()).toEqual({ error: expect.stringContaining('database or disk is full') });
        refused = { headers, body, pr };
      } else expect(res.statusCode).toBe(200);
    }
    expect(refused, 'the database never filled').toBeDefined();
    const { headers, body, pr } = refused as NonNullable<typeof refused>;
    const deliveries = await m.get<{ deliveries: Array<{ id: string }> }>('/api/v2/deliveries?limit=1000');
    expect(deliveries.deliveries.map((d) => d.id)).not.toContain(headers['x-github-delivery']);

    m.db.pragma('max_page_count = 1073741823');
    const again = await m.app.inject({ method: 'POST', url: '/change_hook/github', payload: body, headers });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ ok: true, delivery: headers['x-github-delivery'] });
    // Changes that could not be processed while full are processed once there is room (the retry timer).
    await waitUntil(async () => (await m.get<{ builds: Array<{ pr: number }> }>('/api/v2/builds?limit=1000&order=-id')).builds.some((b) => b.pr === pr), `a build for PR ${pr}`, 15_000);
  }, 60_000);
});
