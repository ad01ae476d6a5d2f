// The master's upload route (PUT /api/worker/uploads), spoken to directly as a worker would, while
// a real worker runs a build: only that worker, for a build it is running, with bytes that match
// the size it announced and the sha256 in its trailer; anything else is refused and leaves nothing
// staged. A staged upload of a build that ended is swept.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepUploads } from '../../../master/artifacts/sweep-uploads.js';
import { startCiCluster, type CiCluster } from '../../support/ci-cluster.js';
import { TEST_SECRETS } from '../../support/test-config.js';

interface Answer {
  status: number;
  body: { error?: string; id?: string; sha256?: string; size?: number };
}

function put(url: string, options: { worker?: string; secret?: string; body: Buffer; size?: number; sha256?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', trailer: 'x-gatehouse-sha256' };
    if (options.worker) headers['x-gatehouse-worker'] = options.worker;
    if (options.secret) headers.authorization = `Bearer ${options.secret}`;
    if (options.size !== undefined) headers['x-gatehouse-size'] = String(options.size);
    const req = request(url, { method: 'PUT', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
    });
    req.on('error', reject);
    req.write(options.body);
    if (options.sha256) req.addTrailers({ 'x-gatehouse-sha256': options.sha256 });
    req.end();
  });
}

describe('the upload route', () => {
  let ci: CiCluster | undefined;
  afterEach(async () => {
    await ci?.stop();
    ci = undefined;
  });

  it('takes bytes only from the worker running the build, only as announced; refusals stage nothing', async () => {
    ci = await startCiCluster({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1 }, { name: 'w2', secret: { env: 'WORKER_SECRET' }, slots: 1 }],
      builders: [{ name: 'slow', executor: 'host', steps: [{ name: 's', run: 'sleep 30' }] }],
      artifacts: { maxFileMiB: 1 },
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const [build] = await ci.waitForBuilds((b) => b[0]?.state === 'running');
    const url = `${ci.master.url}/api/worker/uploads?build=${build?.id}`;
    const staged = () => readdirSync(path.join(ci?.dataDir ?? '', 'artifacts', '.uploads'));
    const bytes = randomBytes(200_000);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const w1 = { worker: 'w1', secret: TEST_SECRETS.WORKER_SECRET };

    expect((await put(url, { body: bytes })).status).toBe(401);
    expect((await put(url, { worker: 'w1', secret: 'wrong', body: bytes })).status).toBe(401);
    expect(await put(url, { worker: 'w2', secret: TEST_SECRETS.WORKER_SECRET, body: bytes })).toEqual({ status: 409, body: { error: `build ${build?.id} is not running on worker w2` } });
    expect((await put(`${ci.master.url}/api/worker/uploads?build=999`, { ...w1, body: bytes })).status).toBe(409);
    expect(await put(url, { ...w1, body: bytes, size: 2 * 1024 * 1024 })).toEqual({ status: 413, body: { error: '2097152 bytes is over artifacts.maxFileMiB (1 MiB)' } });
    expect((await put(url, { ...w1, body: randomBytes(1024 * 1024 + 1) })).status).toBe(413); // no size announced: counted
    expect(await put(url, { ...w1, body: bytes, size: 200_001, sha256 })).toEqual({ status: 422, body: { error: '200000 bytes arrived, 200001 were announced' } });
    expect((await put(url, { ...w1, body: bytes, size: 200_000, sha256: '0'.repeat(64) })).status).toBe(422);
    expect(existsSync(path.join(ci.dataDir, 'artifacts', '.uploads')) ? staged() : []).toEqual([]);

    const good = await put(url, { ...w1, body: bytes, size: 200_000, sha256 });
    expect(good).toEqual({ status: 201, body: { id: expect.stringMatching(new RegExp(`^${build?.id}-`)), sha256, size: 200_000 } });
    expect(staged()).toEqual([good.body.id]);
    // While the build runs, the sweep keeps its upload; once it ended, no message can claim it.
    expect(sweepUploads(ci.master.builds, ci.dataDir, Date.now())).toBe(0);
    await ci.api(`/api/v2/builds/${build?.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } });
    await ci.waitForBuilds((b) => b[0]?.state === 'finished');
    expect(sweepUploads(ci.master.builds, ci.dataDir, Date.now())).toBe(1);
    expect(staged()).toEqual([]);
  });
  it('refuses an upload that would leave the data disk under its 1 GiB reserve (507), before reading it', async () => {
    ci = await startCiCluster({
      builders: [{ name: 'slow', executor: 'host', steps: [{ name: 's', run: 'sleep 30' }] }],
      artifacts: { maxFileMiB: 1024 * 1024 * 1024 },
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const [build] = await ci.waitForBuilds((b) => b[0]?.state === 'running');
    const url = `${ci.master.url}/api/worker/uploads?build=${build?.id}`;
    const w1 = { worker: 'w1', secret: TEST_SECRETS.WORKER_SECRET };
    const fs = await statfs(ci.dataDir);
    const free = fs.bavail * fs.bsize;
    const full = await put(url, { ...w1, body: Buffer.from('x'), size: free - 512 * 1024 * 1024 });
    expect(full).toMatchObject({ status: 507, body: { error: expect.stringMatching(/would leave less than 1 GiB free on the master's data disk/) } });
    // What fits is taken (its announced size must then be what arrives).
    expect((await put(url, { ...w1, body: Buffer.from('x'), size: 1 })).status).toBe(201);
  });
});
