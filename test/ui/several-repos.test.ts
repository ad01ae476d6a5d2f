// A master serving two repositories: every build shows its repository (history, build page,
// queue), and a builder's history can be filtered by repository.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, screenshotBoth, type TestBrowser } from '../support/browser.js';
import { TEST_REPO } from '../support/test-config.js';
import { FakeWorker } from './fake-worker.js';
import { prPayload, type UiMaster } from './ui-master.js';
import { closeUiSession, startUiSession } from './ui-session.js';

const hasChromium = chromiumAvailable();
const OTHER = 'octo-org/other-repo';

/** A real pull_request webhook of `repo`'s PR `n`. */
function prOf(repo: string, n: number, sha: string) {
  const p = prPayload(n, sha);
  p.repository.full_name = repo;
  p.pull_request.head.repo.full_name = repo;
  return p;
}

describe.skipIf(!hasChromium)('several repositories in the UI (Chromium)', () => {
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;
  let worker: FakeWorker;

  beforeAll(async () => {
    ({ master, worker, browser, page } = await startUiSession({
      github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0, repos: [{ repo: OTHER }] },
      builders: [{ name: 'unit', executor: 'host', labels: ['none-has-it'], steps: [{ name: 'test', run: 'make test' }] }],
    }));
    await master.send('pull_request', prOf(TEST_REPO, 1, '1'.repeat(40)));
    await master.send('pull_request', prOf(OTHER, 2, '2'.repeat(40)));
  }, 120_000);
  afterAll(() => closeUiSession({ master, worker, browser }));

  it('shows the repository of every build, and filters the history by repository', async () => {
    await page.goto(`${master.url}/#/builders/unit`);
    const rows = page.locator('.builds-table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.locator('td.col-repo').allTextContents()).toEqual([OTHER, TEST_REPO]);
    expect(await rows.first().locator('td.col-repo a').getAttribute('href')).toBe(`https://github.com/${OTHER}`);

    await page.selectOption('.filters label:has-text("Repository") select', TEST_REPO);
    await expect.poll(() => page.url()).toContain(`repo=${encodeURIComponent(TEST_REPO)}`);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.locator('td.col-repo').textContent()).toBe(TEST_REPO);
    // Narrow screens show the name alone.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await rows.locator('td.col-repo').innerText()).toBe('Hello-World');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshotBoth(page, 'history-several-repos');

    await rows.first().locator('td:first-child a').click();
    await expect.poll(() => page.locator('.facts dt', { hasText: 'Repository' }).count()).toBe(1);
    expect(await page.locator('.facts a.repo').textContent()).toBe(TEST_REPO);

    await page.goto(`${master.url}/#/queue`);
    await expect.poll(() => page.locator('.queue-item a.repo').allTextContents()).toEqual([TEST_REPO, OTHER]);
    expect(browser.errors).toEqual([]);
  });
});
