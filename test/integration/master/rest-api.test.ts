import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { examplePayload } from '../../support/sign-webhook.js';

function pr(n: number, sha: string) {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO;
  p.number = n;
  p.pull_request.head.sha = sha;
  return p;
}
const admin = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
type BuildList = { builds: Array<{ id: number; builder: string; number: number; state: string; result: string | null; pr: number; sha: string; reason: string }>; meta: { total: number } };

describe('REST API', () => {
  let master: TestMaster;
  beforeEach(async () => {
    master = await startTestMaster({
      builders: [
        { name: 'lvm', steps: [{ name: 's', run: 'true' }] },
        { name: 'ceph', maxConcurrent: 1, steps: [{ name: 's', run: 'true' }] },
      ],
    });
    for (let n = 1; n <= 5; n++) await master.send('pull_request', pr(n, String(n).repeat(40)));
  });
  afterEach(async () => master.stop());

  it('lists builds in Buildbot shape with limit, offset, order and filters', async () => {
    const all = await master.get<BuildList>('/api/v2/builds');
    expect(all.meta.total).toBe(10);
    expect(all.builds[0]?.id).toBe(10); // newest first by default
    const page = await master.get<BuildList>('/api/v2/builds?limit=3&offset=2&order=id');
    expect(page.builds.map((b) => b.id)).toEqual([3, 4, 5]);
    expect(page.meta.total).toBe(10);
    const ceph = await master.get<BuildList>('/api/v2/builds?builder=ceph&order=number');
    expect(ceph.builds.map((b) => b.number)).toEqual([1, 2, 3, 4, 5]);
    const onePr = await master.get<BuildList>('/api/v2/builds?pr=3');
    expect(onePr.builds.map((b) => b.builder).sort()).toEqual(['ceph', 'lvm']);
    const bySha = await master.get<BuildList>(`/api/v2/builds?sha=${'4'.repeat(40)}&builder=lvm`);
    expect(bySha.builds).toMatchObject([{ pr: 4, state: 'queued', reason: 'pull request #4 opened' }]);
  });

  it('rejects a bad order or limit with 400', async () => {
    expect((await master.app.inject('/api/v2/builds?order=secret')).statusCode).toBe(400);
    expect((await master.app.inject('/api/v2/builds?limit=0')).statusCode).toBe(400);
  });

  it('serves one build, its steps, builders, requests, changes and deliveries', async () => {
    const one = await master.get<BuildList>('/api/v2/builds/1');
    expect(one.builds[0]).toMatchObject({ id: 1, builder: 'lvm', number: 1, state: 'queued', repo: TEST_REPO, pr: 1 });
    expect(Object.keys(one.builds[0] ?? {})).toEqual(expect.arrayContaining(['created_at', 'started_at', 'finished_at', 'result', 'reason', 'sha']));
    expect((await master.app.inject('/api/v2/builds/999')).statusCode).toBe(404);
    expect(await master.get('/api/v2/builds/1/steps')).toEqual({ steps: [], meta: { total: 0 } });
    const builders = await master.get<{ builders: Array<{ name: string; queued: number; max_concurrent: number | null }> }>('/api/v2/builders');
    expect(builders.builders).toMatchObject([{ name: 'lvm', queued: 5 }, { name: 'ceph', queued: 5, max_concurrent: 1 }]);
    const requests = await master.get<{ buildrequests: Array<{ state: string; waiting: string | null }>; meta: { total: number } }>('/api/v2/buildrequests?state=queued');
    expect(requests.meta.total).toBe(10);
    expect((await master.get<{ meta: { total: number } }>('/api/v2/changes')).meta.total).toBe(5);
    expect((await master.get<{ meta: { total: number } }>('/api/v2/deliveries?outcome=queued')).meta.total).toBe(5);
  });

  it('says why a request waits', async () => {
    master.dispatcher.dispatchNow();
    const requests = await master.get<{ buildrequests: Array<{ waiting: string }> }>('/api/v2/buildrequests?builder=lvm');
    expect(requests.buildrequests[0]?.waiting).toBe('no connected worker matches');
  });

  it('refuses actions without the admin token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
      expect((await master.app.inject({ method: 'POST', url: '/api/v2/builds/1/cancel', headers })).statusCode).toBe(401);
      expect((await master.app.inject({ method: 'POST', url: '/api/v2/builders/lvm/rebuild', headers })).statusCode).toBe(401);
    }
    const one = await master.get<BuildList>('/api/v2/builds/1');
    expect(one.builds[0]?.state).toBe('queued');
  });

  it('cancels a queued build, and says 409 when it is already finished', async () => {
    const res = await master.app.inject({ method: 'POST', url: '/api/v2/builds/1/cancel', headers: admin });
    expect(res.statusCode).toBe(202);
    const one = await master.get<BuildList>('/api/v2/builds/1');
    expect(one.builds[0]).toMatchObject({ state: 'finished', result: 'cancelled' });
    expect((await master.app.inject({ method: 'POST', url: '/api/v2/builds/1/cancel', headers: admin })).statusCode).toBe(409);
  });

  it('rebuilds a build of a builder as a new build with the same PR and sha', async () => {
    await master.app.inject({ method: 'POST', url: '/api/v2/builds/1/cancel', headers: admin });
    const res = await master.app.inject({ method: 'POST', url: '/api/v2/builders/lvm/rebuild', headers: admin, payload: { buildId: 1 } });
    expect(res.statusCode).toBe(202);
    const rebuilt = res.json() as BuildList;
    expect(rebuilt.builds[0]).toMatchObject({ builder: 'lvm', number: 6, pr: 1, sha: '1'.repeat(40), state: 'queued', reason: 'rebuild of #1 requested through the API' });
    expect((await master.app.inject({ method: 'POST', url: '/api/v2/builders/nope/rebuild', headers: admin })).statusCode).toBe(404);
  });

  it('answers /healthz while the database is writable, 503 when it is not', async () => {
    expect((await master.app.inject('/healthz')).json()).toEqual({ ok: true });
    master.db.pragma('query_only = ON');
    expect((await master.app.inject('/healthz')).statusCode).toBe(503);
    master.db.pragma('query_only = OFF');
  });
});
