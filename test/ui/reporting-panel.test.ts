// The build page's Reporting section: a logs branch push the remote refuses shows there with the
// remote's own words (here a pre-receive hook standing in for branch protection).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumAvailable, type TestBrowser } from '../support/browser.js';
import { createBareRepo } from '../support/bare-git-repo.js';
import { HOOK_SAYS, refuseUntil } from '../support/refusing-hook.js';
import { makeTempDir } from '../support/temp-dir.js';
import { FakeWorker } from './fake-worker.js';
import { prPayload, type UiMaster } from './ui-master.js';
import { closeUiSession, startUiSession } from './ui-session.js';

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('build page: reporting (Chromium)', () => {
  const dir = makeTempDir('gatehouse-ui-reporting-');
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;
  let worker: FakeWorker;

  beforeAll(async () => {
    const bare = createBareRepo(dir.path);
    refuseUntil(bare.dir, path.join(dir.path, 'never'));
    ({ master, worker, browser, page } = await startUiSession({
      builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'make test' }] }],
      logs: { remote: bare.dir, branch: 'ci-logs' },
    }));
  }, 120_000);
  afterAll(async () => {
    await closeUiSession({ master, worker, browser });
    dir.remove();
  });

  it('shows a refused logs push with the remote\'s message', async () => {
    await master.send('pull_request', prPayload(31, 'e'.repeat(40)));
    const b = await worker.build(0);
    await worker.stepStarted(b.buildId, '0', 'test');
    await worker.stepFinished(b.buildId, '0', 'success', 0, 1000);
    await worker.buildFinished(b.buildId, 'success');
    const refused = async () => {
      const res = await fetch(`${master.url}/api/v2/builds/${b.buildId}/reporting`);
      return ((await res.json()) as { logs: { last_error: string | null } | null }).logs?.last_error ?? '';
    };
    await expect.poll(refused, { timeout: 15_000 }).toContain(HOOK_SAYS);

    await page.goto(`${master.url}/#/builds/${b.buildId}`);
    const panel = page.locator('section.reporting');
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toContain(HOOK_SAYS);
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('not published yet');
    expect(text).toContain('[remote rejected] (pre-receive hook declined)');
  });
});
