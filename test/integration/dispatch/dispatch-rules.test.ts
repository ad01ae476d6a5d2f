// Which worker gets which build: labels, concurrency caps, and what the API says while waiting.
// Also the log endpoints: Range requests and the live tail.
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCiCluster, allFinished, type CiCluster } from '../../support/ci-cluster.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_SECRETS } from '../../support/test-config.js';
import { WORKER_NAME_HEADER } from '../../../shared/protocol.js';

describe('dispatch rules', () => {
  let ci: CiCluster | undefined;
  afterEach(async () => {
    await ci?.stop();
    ci = undefined;
  });

  it('a builder cap keeps its builds one at a time even with free slots', async () => {
    ci = await startCiCluster({
      workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 3 }],
      builders: [{ name: 'capped', executor: 'host', maxConcurrent: 1, steps: [{ name: 's', run: 'sleep 0.3' }] }],
    });
    await ci.openPr(1);
    await ci.openPr(2);
    await ci.openPr(3);
    await ci.startWorker('w1');
    await ci.waitForBuilds((b) => b.some((x) => x.state === 'running'));
    const waiting = await ci.api<{ buildrequests: Array<{ state: string; waiting: string | null }> }>('/api/v2/buildrequests?state=queued');
    expect(waiting.buildrequests.map((r) => r.waiting)).toContain('concurrency cap: 1 of 1 running');
    await ci.waitForBuilds(allFinished(3), 15_000);
    const { builds } = await ci.api<{ builds: Array<{ started_at: number; finished_at: number }> }>('/api/v2/builds?order=started_at');
    for (let i = 1; i < builds.length; i++) expect((builds[i] as { started_at: number }).started_at).toBeGreaterThanOrEqual((builds[i - 1] as { finished_at: number }).finished_at);
  });

  it('a builder needing a label waits, saying why, until a worker with it connects', async () => {
    ci = await startCiCluster({
      workers: [
        { name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1 },
        { name: 'w2', secret: { env: 'WORKER_SECRET' }, slots: 1, labels: ['storage'] },
      ],
      builders: [{ name: 'array', executor: 'host', labels: ['storage'], steps: [{ name: 's', run: 'echo on the array' }] }],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    await new Promise((r) => setTimeout(r, 300));
    const waiting = await ci.api<{ buildrequests: Array<{ waiting: string | null }> }>('/api/v2/buildrequests');
    expect(waiting.buildrequests[0]?.waiting).toBe('no connected worker matches labels storage');
    await ci.startWorker('w2');
    const [build] = await ci.waitForBuilds(allFinished(1));
    expect(build).toMatchObject({ result: 'success', worker: 'w2' });
  });

  it('a builder with triggers.after runs on the same commit when the first succeeds, not when it fails', async () => {
    ci = await startCiCluster({
      builders: [
        { name: 'package', executor: 'host', steps: [{ name: 'make', run: 'test "$(cat pr.txt)" != "pull request 2"' }] },
        { name: 'dockertest', executor: 'host', triggers: { pullRequest: false, after: 'package' }, steps: [{ name: 'test', run: 'echo "testing $GATEHOUSE_SHA"' }] },
      ],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    await ci.openPr(2);
    const builds = await ci.waitForBuilds((b) => b.length === 3 && b.every((x) => x.state === 'finished'), 15_000);
    const seen = builds.map((b) => [b.builder, b.pr, b.result]).sort((a, b) => String(a).localeCompare(String(b)));
    expect(seen).toEqual([['dockertest', 1, 'success'], ['package', 1, 'success'], ['package', 2, 'failure']]);
    const id = (builder: string, pr: number) => builds.find((b) => b.builder === builder && b.pr === pr)?.id;
    const follower = (await ci.api<{ builds: Array<{ reason: string; sha: string }> }>(`/api/v2/builds/${id('dockertest', 1)}`)).builds[0];
    const first = (await ci.api<{ builds: Array<{ sha: string }> }>(`/api/v2/builds/${id('package', 1)}`)).builds[0];
    expect(follower?.reason).toBe('after package #1 succeeded');
    expect(follower?.sha).toBe(first?.sha);
  });

  it('a chained builder downloads the artifacts its first builder stored, from the master, before its step runs', async () => {
    ci = await startCiCluster({
      builders: [
        {
          name: 'package',
          executor: 'host',
          steps: [
            {
              name: 'make',
              run: 'mkdir -p packages/deb packages/rpm && printf "deb of %s\\n" "$GATEHOUSE_SHA" > packages/deb/a.deb && head -c 300000 /dev/urandom > packages/rpm/b.rpm && sha256sum packages/rpm/b.rpm > sums.txt && echo not-a-package > notes.txt && printf "#!/bin/sh\\necho static binary runs\\n" > packages/dockerd && chmod 755 packages/dockerd',
              artifacts: ['packages/**', 'sums.txt', 'notes.txt'],
            },
          ],
        },
        {
          name: 'dockertest',
          executor: 'host',
          triggers: { pullRequest: false, after: 'package' },
          steps: [
            { name: 'fetch', download: { from: 'package', paths: ['packages/**', 'sums.txt'] } },
            { name: 'check', run: 'sha256sum -c sums.txt && cat packages/deb/a.deb && test ! -e notes.txt && ./packages/dockerd && test ! -x packages/deb/a.deb' },
          ],
        },
      ],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const builds = await ci.waitForBuilds((b) => b.length === 2 && b.every((x) => x.state === 'finished'), 15_000);
    const follower = builds.find((b) => b.builder === 'dockertest');
    const first = builds.find((b) => b.builder === 'package');
    expect(first?.result).toBe('success');
    expect(follower?.result).toBe('success');
    const fetchLog = await ci.log(follower?.id ?? 0, '0');
    expect(fetchLog).toContain(`downloading 4 artifact(s)`);
    expect(fetchLog).toContain(`of package build ${first?.id}`);
    expect(await ci.log(follower?.id ?? 0, '1')).toContain(`deb of ${first?.sha}`);
    expect(await ci.log(follower?.id ?? 0, '1')).toContain('static binary runs'); // still executable
    // Without the worker's credentials the artifact is not served.
    expect((await fetch(`${ci.master.url}/api/worker/artifacts/1`)).status).toBe(401);
  });

  it("a worker may fetch only the artifacts a download of a build running on it names", async () => {
    const gate = makeTempDir('gatehouse-gate-');
    try {
      const release = path.join(gate.path, 'release');
      ci = await startCiCluster({
        workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 2 }, { name: 'w2', secret: { env: 'WORKER_SECRET' }, slots: 1 }],
        builders: [
          { name: 'package', executor: 'host', steps: [{ name: 'make', run: 'echo deb > a.deb && echo private > notes.txt', artifacts: ['a.deb', 'notes.txt'] }] },
          {
            name: 'follow', executor: 'host', triggers: { pullRequest: false, after: 'package' },
            // Holds the build running until the test has asked.
            steps: [{ name: 'get', download: { from: 'package', paths: ['*.deb'] }, run: `while [ ! -e ${release} ]; do sleep 0.05; done` }],
          },
        ],
      });
      await ci.startWorker('w1');
      await ci.openPr(1);
      const running = await ci.waitForBuilds((b) => b.some((x) => x.builder === 'follow' && x.state === 'running'));
      const first = running.find((b) => b.builder === 'package');
      const { artifacts } = await ci.api<{ artifacts: Array<{ id: number; path: string }> }>(`/api/v2/builds/${first?.id}/artifacts`);
      const idOf = (p: string) => artifacts.find((a) => a.path === p)?.id as number;
      const fetchAs = (worker: string, id: number) => fetch(`${ci?.master.url}/api/worker/artifacts/${id}`, { headers: { authorization: `Bearer ${TEST_SECRETS.WORKER_SECRET}`, [WORKER_NAME_HEADER]: worker } });
      // The worker's own download (granted) happens before the step's command.
      for (let i = 0; i < 200 && !(await ci.log(running.find((b) => b.builder === 'follow')?.id ?? 0, '0')).includes('downloading'); i++) await new Promise((r) => setTimeout(r, 25));
      const granted = await fetchAs('w1', idOf('a.deb'));
      expect(granted.status).toBe(200);
      expect(await granted.text()).toBe('deb\n');
      // Same upstream build, a path the download does not name; another worker; an id that does not exist.
      const notNamed = await fetchAs('w1', idOf('notes.txt'));
      expect(notNamed.status).toBe(403);
      expect(await notNamed.text()).not.toContain('private');
      expect((await fetchAs('w2', idOf('a.deb'))).status).toBe(403);
      expect((await fetchAs('w1', 9999)).status).toBe(403);
      writeFileSync(release, '');
      await ci.waitForBuilds(allFinished(2));
      // Its build over, the worker is granted nothing any more.
      expect((await fetchAs('w1', idOf('a.deb'))).status).toBe(403);
    } finally {
      gate.remove();
    }
  });

  it('a large artifact is streamed to the master (sha256 checked both ends) and into a chained build; one over artifacts.maxFileMiB is refused and errors the step', async () => {
    ci = await startCiCluster({
      artifacts: { maxFileMiB: 48 },
      builders: [
        { name: 'big', executor: 'host', steps: [{ name: 'make', run: 'head -c 40000000 /dev/urandom > big.bin && sha256sum big.bin > big.sha && head -c 16000000 /dev/urandom > near.bin', artifacts: ['big.bin', 'big.sha', 'near.bin'] }] },
        { name: 'huge', executor: 'host', steps: [{ name: 'make', run: 'head -c 51000000 /dev/zero > huge.bin', artifacts: 'huge.bin' }] },
        { name: 'use', executor: 'host', triggers: { pullRequest: false, after: 'big' }, steps: [{ name: 'get', download: { from: 'big', paths: ['big.*'] }, run: 'sha256sum -c big.sha' }] },
      ],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const builds = await ci.waitForBuilds((b) => b.length === 3 && b.every((x) => x.state === 'finished'), 25_000);
    const [big, huge, use] = ['big', 'huge', 'use'].map((name) => builds.find((b) => b.builder === name));
    expect(big?.result).toBe('success');
    const { artifacts } = await ci.api<{ artifacts: Array<{ id: number; path: string; size: number }> }>(`/api/v2/builds/${big?.id}/artifacts`);
    expect(artifacts.map((a) => [a.path, a.size])).toEqual([['big.bin', 40000000], ['big.sha', 74], ['near.bin', 16000000]]);
    const content = Buffer.from(await (await fetch(`${ci.master.url}/api/v2/builds/${big?.id}/artifacts/${artifacts[0]?.id}`)).arrayBuffer());
    const sum = await (await fetch(`${ci.master.url}/api/v2/builds/${big?.id}/artifacts/${artifacts[1]?.id}`)).text();
    const sha = createHash('sha256').update(content).digest('hex');
    expect(sha).toBe(sum.split(' ')[0]);
    expect(await ci.log(big?.id ?? 0, '0')).toContain(`big.bin: 40000000 bytes stored, sha256 ${sha}`);
    // The follower's download streams it back out of the master; sha256sum -c checks it in the step.
    expect(use?.result).toBe('success');
    expect(await ci.log(use?.id ?? 0, '0')).toContain('big.bin: OK');
    // The file over the master's limit is not stored, and its build says so rather than passing.
    expect(huge).toMatchObject({ result: 'error', result_reason: 'step "make": artifact huge.bin not stored' });
    expect(await ci.log(huge?.id ?? 0, '0')).toContain('huge.bin not stored: the master refused it: 413 51000000 bytes is over artifacts.maxFileMiB (48 MiB)');
    // Nothing is left in the staging directory once the messages linked the uploads.
    expect(readdirSync(path.join(ci.dataDir, 'artifacts', '.uploads'))).toEqual([]);
  });

  it('a builder with mergeBase tests the PR merged into its base branch as it is now; a conflict ends it as error naming the file', async () => {
    ci = await startCiCluster({
      builders: [
        { name: 'merged', executor: 'host', mergeBase: true, steps: [{ name: 's', run: 'cat base.txt pr.txt; echo "base=$GATEHOUSE_BASE_REF"' }] },
        { name: 'head', executor: 'host', steps: [{ name: 's', run: 'test ! -e base.txt && echo "head only, no base=${GATEHOUSE_BASE_REF:-}"' }] },
      ],
    });
    // The PR's base branch (the payload's base.ref, "master") moved on after the PR was cut from it.
    const root = ci.repo.git('rev-parse', 'HEAD');
    ci.repo.setRef('refs/heads/master', ci.repo.commit({ 'base.txt': 'from the base branch\n' }, 'base moves on', root));
    await ci.startWorker('w1');
    await ci.openPr(1);
    await ci.openPr(2, { 'base.txt': 'the PR changed it too\n' });
    const builds = await ci.waitForBuilds((b) => b.length === 4 && b.every((x) => x.state === 'finished'), 15_000);
    const find = (builder: string, pr: number) => builds.find((b) => b.builder === builder && b.pr === pr);
    expect(find('merged', 1)?.result).toBe('success');
    expect(await ci.log(find('merged', 1)?.id ?? 0, '0')).toContain('from the base branch\npull request 1\nbase=refs/heads/master\n');
    expect(find('head', 1)?.result).toBe('success');
    expect(await ci.log(find('head', 1)?.id ?? 0, '0')).toContain('head only, no base=\n');
    expect(find('merged', 2)).toMatchObject({ result: 'error', result_reason: expect.stringMatching(/does not merge cleanly into refs\/heads\/master \(conflicts in base\.txt\)/) });
    expect(find('head', 2)?.result).toBe('failure'); // its head has base.txt: the head alone is what it tests
  });

  it('a download with no successful build of its builder on the commit ends the build as error, saying so', async () => {
    ci = await startCiCluster({
      builders: [{ name: 'lonely', executor: 'host', steps: [{ name: 'fetch', download: { from: 'other' } }, { name: 'after', run: 'true' }] }, { name: 'other', executor: 'host', triggers: { pullRequest: false }, steps: [{ name: 's', run: 'true' }] }],
    });
    await ci.startWorker('w1');
    await ci.openPr(1);
    const [build] = await ci.waitForBuilds(allFinished(1), 15_000);
    expect(build?.result).toBe('error');
    expect(build?.result_reason).toContain('no successful build of "other" on this commit');
  });

  it('serves a step log with Range, and follows a running step live to its end', async () => {
    ci = await startCiCluster({ builders: [{ name: 'b', executor: 'host', steps: [{ name: 'count', run: 'for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.2; done' }] }] });
    await ci.startWorker('w1');
    await ci.openPr(1);
    await ci.waitForBuilds((b) => b[0]?.state === 'running');
    for (let i = 0; i < 100; i++) {
      const steps = await ci.api<{ steps: Array<{ state: string }> }>('/api/v2/builds/1/steps');
      if (steps.steps[0]?.state === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const live = await fetch(`${ci.master.url}/api/v2/builds/1/steps/0/log/live`);
    expect(live.headers.get('content-type')).toContain('text/event-stream');
    const text = await live.text(); // the stream ends with the step
    const pieces = [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1] as string) as { text?: string; bytes?: number });
    const followed = pieces.map((p) => p.text ?? '').join('');
    expect(followed).toMatch(/tick 1\n[\s\S]*tick 6\n/);
    expect(text).toContain('event: end');
    const whole = await ci.log(1, '0');
    expect(followed).toBe(whole);
    const start = whole.indexOf('tick 3');
    const ranged = await fetch(`${ci.master.url}/api/v2/builds/1/steps/0/log`, { headers: { range: `bytes=${start}-${start + 5}` } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes ${start}-${start + 5}/${whole.length}`);
    expect(await ranged.text()).toBe('tick 3');
    const beyond = await fetch(`${ci.master.url}/api/v2/builds/1/steps/0/log`, { headers: { range: `bytes=${whole.length + 10}-` } });
    expect(beyond.status).toBe(416);
  });
});
