// Artifacts in an S3-compatible bucket (`artifacts.store: 's3'`): a real master and worker, the AWS
// SDK talking to a local stand-in that checks every request's SigV4 signature. Files go to the
// bucket after the build stored them and leave the master's disk; they are served from the bucket,
// and a chained build downloads them from there. While the bucket is down nothing is lost: the
// artifact stays on disk and is served from it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCiCluster, type CiCluster } from '../../support/ci-cluster.js';
import { startS3StandIn, type S3StandIn } from '../../support/s3-stand-in.js';

const CREDENTIALS = { S3_KEY_ID: 'AKIASTANDIN000000001', S3_SECRET: 'stand-in-secret-key/0123456789abcdefABCDEF' };

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('the S3 artifact store', () => {
  let ci: CiCluster | undefined;
  let s3: S3StandIn | undefined;
  afterEach(async () => {
    await ci?.stop();
    await s3?.close();
    ci = undefined;
    s3 = undefined;
  });

  async function start(secret = CREDENTIALS.S3_SECRET, packageSteps?: Array<Record<string, unknown>>, installRun = 'cat out/pkg.deb') {
    s3 = await startS3StandIn({ bucket: 'ci-artifacts', accessKeyId: CREDENTIALS.S3_KEY_ID, secretAccessKey: CREDENTIALS.S3_SECRET, region: 'us-south' });
    ci = await startCiCluster(
      {
        artifacts: {
          store: 's3',
          s3: { endpoint: s3.url, bucket: 'ci-artifacts', region: 'us-south', prefix: 'pr-builds/', accessKeyId: { env: 'S3_KEY_ID' }, secretAccessKey: { env: 'S3_SECRET' } },
        },
        builders: [
          {
            name: 'package',
            executor: 'host',
            steps: (packageSteps ?? [{ name: 'make', run: 'mkdir -p out && printf "package of %s\\n" "$GATEHOUSE_SHA" > out/pkg.deb && echo "<testsuite tests=\\"1\\"/>" > report.xml', artifacts: 'out/*', junit: 'report.xml' }]) as never,
          },
          { name: 'install', executor: 'host', triggers: { pullRequest: false, after: 'package' }, steps: [{ name: 'get', download: { from: 'package' }, run: installRun }] },
        ],
      },
      { ...CREDENTIALS, S3_SECRET: secret },
    );
    await ci.startWorker('w1');
    return { ci, s3 };
  }

  async function waitFor(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  }

  it('moves file artifacts to the bucket, serves them from there, and a chained build downloads them', async () => {
    const { ci, s3 } = await start();
    await ci.openPr(1);
    const builds = await ci.waitForBuilds((b) => b.length === 2 && b.every((x) => x.state === 'finished'));
    const [pkg, install] = [builds.find((b) => b.builder === 'package'), builds.find((b) => b.builder === 'install')];
    expect(pkg?.result).toBe('success');
    expect(install?.result).toBe('success');
    const key = `pr-builds/${pkg?.id}/out/pkg.deb`;
    await waitFor(() => s3.objects.has(key), 'the upload');
    expect(s3.objects.get(key)?.toString()).toBe(`package of ${pkg?.sha}\n`);
    // Only the file artifact went; the JUnit report stays with the master (statuses read it).
    expect([...s3.objects.keys()]).toEqual([key]);
    const row = ci.master.db.prepare<[number], { stored_at: string }>(`SELECT stored_at FROM artifacts WHERE build_id = ? AND kind = 'file'`).get(pkg?.id ?? 0);
    expect(row?.stored_at).toBe(`s3://ci-artifacts/${key}`);
    await waitFor(() => !filesUnder(path.join(ci.dataDir, 'artifacts', String(pkg?.id))).some((f) => f.endsWith('pkg.deb')), 'the local copy to go');
    expect(filesUnder(path.join(ci.dataDir, 'artifacts', String(pkg?.id))).map((f) => path.basename(f))).toEqual(['report.xml']);

    const { artifacts } = await ci.api<{ artifacts: Array<{ id: number; path: string }> }>(`/api/v2/builds/${pkg?.id}/artifacts`);
    const file = artifacts.find((a) => a.path === 'out/pkg.deb');
    const served = await fetch(`${ci.master.url}/api/v2/builds/${pkg?.id}/artifacts/${file?.id}`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(`package of ${pkg?.sha}\n`);
    expect(await ci.log(install?.id ?? 0, '0')).toContain(`package of ${pkg?.sha}`);
    expect(s3.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('keeps an artifact on disk, served from there, while the bucket refuses it (a wrong secret): nothing is lost', async () => {
    const { ci, s3 } = await start('not-the-secret');
    await ci.openPr(1);
    const builds = await ci.waitForBuilds((b) => b.length === 2 && b.every((x) => x.state === 'finished'));
    const pkg = builds.find((b) => b.builder === 'package');
    expect(builds.map((b) => b.result)).toEqual(['success', 'success']);
    await waitFor(() => s3.requests.some((r) => r.method === 'PUT'), 'an upload attempt');
    expect(s3.requests.filter((r) => r.method === 'PUT').every((r) => r.status === 403)).toBe(true);
    expect(s3.objects.size).toBe(0);
    const { artifacts } = await ci.api<{ artifacts: Array<{ id: number; path: string }> }>(`/api/v2/builds/${pkg?.id}/artifacts`);
    const file = artifacts.find((a) => a.path === 'out/pkg.deb');
    expect(await (await fetch(`${ci.master.url}/api/v2/builds/${pkg?.id}/artifacts/${file?.id}`)).text()).toBe(`package of ${pkg?.sha}\n`);
  });

  it('two steps collecting the same path: both rows end in the bucket, the later content is what a download gets', async () => {
    const { ci, s3 } = await start(undefined, [
      { name: 'first', run: 'mkdir -p out && echo first > out/pkg.deb', artifacts: 'out/*' },
      { name: 'second', run: 'echo second > out/pkg.deb', artifacts: 'out/*' },
    ]);
    await ci.openPr(1);
    const builds = await ci.waitForBuilds((b) => b.length === 2 && b.every((x) => x.state === 'finished'));
    expect(builds.map((b) => b.result)).toEqual(['success', 'success']);
    const pkg = builds.find((b) => b.builder === 'package');
    const rows = () => ci.master.db.prepare<[number], { stored_at: string }>(`SELECT stored_at FROM artifacts WHERE build_id = ? ORDER BY id`).all(pkg?.id ?? 0);
    await waitFor(() => rows().length === 2 && rows().every((r) => r.stored_at.startsWith('s3://')), 'both rows in the bucket');
    expect(s3.objects.get(`pr-builds/${pkg?.id}/out/pkg.deb`)?.toString()).toBe('second\n');
    const install = builds.find((b) => b.builder === 'install');
    expect(await ci.log(install?.id ?? 0, '0')).toContain('second');
  });
  it('a 30 MB package goes to the bucket as a stream (uploaded by the worker first), and the master serves it from there', async () => {
    const { ci, s3 } = await start(undefined, [
      { name: 'make', run: 'mkdir -p out && head -c 30000000 /dev/urandom > out/pkg.deb && sha256sum out/pkg.deb > out/pkg.sha', artifacts: 'out/*' },
    ], 'sha256sum -c out/pkg.sha');
    await ci.openPr(1);
    const builds = await ci.waitForBuilds((b) => b.length === 2 && b.every((x) => x.state === 'finished'), 30_000);
    expect(builds.map((b) => b.result)).toEqual(['success', 'success']);
    const pkg = builds.find((b) => b.builder === 'package');
    expect(await ci.log(builds.find((b) => b.builder === 'install')?.id ?? 0, '0')).toContain('out/pkg.deb: OK');
    const key = `pr-builds/${pkg?.id}/out/pkg.deb`;
    await waitFor(() => s3.objects.has(key) && s3.objects.has(`pr-builds/${pkg?.id}/out/pkg.sha`), 'both uploads');
    const sum = s3.objects.get(`pr-builds/${pkg?.id}/out/pkg.sha`)?.toString() ?? '';
    expect(createHash('sha256').update(s3.objects.get(key) ?? Buffer.alloc(0)).digest('hex')).toBe(sum.split(' ')[0]);
    expect(s3.requests.filter((r) => r.status !== 200)).toEqual([]);
    // Once the local copy is gone, what the master serves comes out of the bucket, streamed.
    await waitFor(() => filesUnder(path.join(ci.dataDir, 'artifacts', String(pkg?.id))).length === 0, 'the local copies to go');
    const { artifacts } = await ci.api<{ artifacts: Array<{ id: number; path: string }> }>(`/api/v2/builds/${pkg?.id}/artifacts`);
    const served = Buffer.from(await (await fetch(`${ci.master.url}/api/v2/builds/${pkg?.id}/artifacts/${artifacts.find((a) => a.path === 'out/pkg.deb')?.id}`)).arrayBuffer());
    expect(served.length).toBe(30_000_000);
    expect(createHash('sha256').update(served).digest('hex')).toBe(sum.split(' ')[0]);
  });
});
