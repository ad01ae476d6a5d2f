// A master killed with SIGKILL and started again on the same data dir loses nothing it accepted.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_SECRETS, TEST_REPO, testConfig } from '../../support/test-config.js';
import { examplePayload, webhookHeaders } from '../../support/sign-webhook.js';
import { startMasterProcess, type MasterProcess } from '../../support/master-process.js';

function payload(n: number) {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO;
  p.number = n;
  p.pull_request.head.sha = n.toString(16).padStart(40, 'a');
  return JSON.stringify(p);
}

describe('master restart', () => {
  const dir = makeTempDir();
  let master: MasterProcess | undefined;
  afterEach(async () => {
    await master?.kill('SIGKILL');
    dir.remove();
  });

  it('keeps every accepted build queued across SIGKILL', async () => {
    const configFile = path.join(dir.path, 'gatehouse.config.json');
    writeFileSync(configFile, JSON.stringify(testConfig()));
    const args = ['master', '--config', configFile, '--port', '0', '--data-dir', path.join(dir.path, 'data')];
    master = await startMasterProcess(args);
    const accepted: number[] = [];
    // Fire webhooks without waiting, and kill the master while some are still in flight.
    const sends = Array.from({ length: 40 }, (_, i) => {
      const body = payload(i + 1);
      return fetch(`${master?.url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) })
        .then((r) => { if (r.status === 200) accepted.push(i + 1); })
        .catch(() => undefined);
    });
    for (let i = 0; i < 200 && accepted.length < 10; i++) await new Promise((r) => setTimeout(r, 5));
    await master.kill('SIGKILL');
    await Promise.all(sends);
    expect(accepted.length).toBeGreaterThan(0);

    master = await startMasterProcess(args);
    // Changes accepted before the kill are evaluated at start; wait until they all are.
    let builds: Array<{ pr: number; state: string }> = [];
    for (let i = 0; i < 50; i++) {
      builds = ((await (await fetch(`${master.url}/api/v2/builds?limit=1000`)).json()) as { builds: typeof builds }).builds;
      if (builds.length >= accepted.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const prs = new Set(builds.map((b) => b.pr));
    for (const pr of accepted) expect(prs.has(pr), `PR ${pr} was accepted (200) but has no build`).toBe(true);
    expect(builds.every((b) => b.state === 'queued')).toBe(true);
    const pending = (await (await fetch(`${master.url}/api/v2/changes?limit=1000`)).json()) as { changes: Array<{ state: string }> };
    expect(pending.changes.filter((c) => c.state !== 'processed')).toEqual([]);
  });
});
