// The other pages, on a database with 10,000 builds: the queue (an untrusted fork's PR awaiting
// approval, with the hint), workers, deliveries, and a builder's paged, filtered history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seedBuilds } from '../../bench/seed-builds.js';
import { chromiumAvailable, screenshotBoth, type TestBrowser } from '../support/browser.js';
import { TEST_REPO } from '../support/test-config.js';
import { FakeWorker } from './fake-worker.js';
import { prPayload, UI_BUILDERS, type UiMaster } from './ui-master.js';
import { closeUiSession, startUiSession } from './ui-session.js';

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('queue, workers, deliveries and history pages (Chromium, 10,000 builds)', () => {
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;
  let worker: FakeWorker;

  beforeAll(async () => {
    // lvm's builds carry a priority, which the queue shows; unit's have none (0), and show none.
    const builders = UI_BUILDERS.map((b) => (b.name === 'lvm' ? { ...b, priority: 2 } : b));
    ({ master, worker, browser, page } = await startUiSession({ builders }));
    seedBuilds(master.db, { count: 10_000, builders: ['unit', 'lvm', 'docs'], repo: TEST_REPO });
    await master.send('pull_request', prPayload(31, '3'.repeat(40), { fork: true, title: 'Fix a typo (from a fork)' }));
    await master.send('pull_request', prPayload(32, '4'.repeat(40)));
    await worker.build(); // unit for PR 32 runs on w1; lvm needs a "storage" worker
    const assigned = prPayload(33, '5'.repeat(40));
    assigned.action = 'assigned';
    await master.send('pull_request', assigned);
  }, 120_000);
  afterAll(() => closeUiSession({ master, worker, browser }));

  it('shows an untrusted fork PR awaiting approval, with the approve hint, oldest first', async () => {
    await page.goto(`${master.url}/#/queue`);
    const items = page.locator('.queue-item');
    await expect.poll(() => items.count()).toBe(3);
    const awaiting = page.locator('.queue-item[data-state="awaiting-approval"]');
    expect(await awaiting.count()).toBe(2);
    const first = items.first();
    expect(await first.getAttribute('data-state')).toBe('awaiting-approval');
    expect(await first.textContent()).toContain('PR #31');
    expect(await first.locator('.queue-why').textContent()).toContain('it runs once a trusted member comments /ok-to-test on the pull request');
    expect(await first.locator('.queue-why a').getAttribute('href')).toBe(`https://github.com/${TEST_REPO}/pull/31`);
    const queued = page.locator('.queue-item[data-state="queued"]');
    expect(await queued.textContent()).toContain('PR #32');
    expect(await queued.textContent()).toContain('no connected worker matches labels storage');
    expect(await page.locator('.page-head p').textContent()).toBe('3 waiting, 2 of them for approval; oldest first');
    expect(await queued.locator('.queue-priority').textContent()).toBe('priority 2');
    expect(await page.locator('.queue-item:has-text("unit #") .queue-priority').count()).toBe(0);

    // Live: another outside PR joins the end of the queue while the page is open.
    await master.send('pull_request', prPayload(34, '6'.repeat(40), { fork: true }));
    await expect.poll(() => items.count()).toBe(5);
    expect(await items.last().textContent()).toContain('PR #34');
    await screenshotBoth(page, 'queue');
  });

  it('shows workers with slots in use and their running builds', async () => {
    await page.goto(`${master.url}/#/workers`);
    const w1 = page.locator('tr[data-worker="w1"]');
    await expect.poll(() => w1.getAttribute('data-connected')).toBe('true');
    expect(await w1.textContent()).toContain('1 / 2');
    const spec = worker.started[0];
    expect(await w1.locator(`a[href="#/builds/${spec?.buildId}"]`).count()).toBe(1);
    expect(await w1.textContent()).toContain('fake-worker');
    await worker.buildFinished(spec?.buildId as number, 'success');
    await expect.poll(() => w1.textContent()).toContain('0 / 2');
    await screenshotBoth(page, 'workers');
  });

  it('shows deliveries with their outcome and the forwarder state', async () => {
    await page.goto(`${master.url}/#/deliveries`);
    const rows = page.locator('tr[data-delivery]');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.first().getAttribute('data-outcome')).toBe('queued'); // the newest: PR 34
    // A delivery that queued builds says so; whether they built is the build's own state.
    expect(await rows.first().locator('.pill').textContent()).toMatch(/^\W*queued$/);
    expect(await page.locator('tr[data-outcome="ignored"]').textContent()).toContain('action assigned does not start builds');
    expect(await page.locator('.forwarder').textContent()).toContain('No smee.io forwarder');
    await screenshotBoth(page, 'deliveries');
  });

  it('pages and filters a builder history of thousands of builds', async () => {
    const t0 = Date.now();
    await page.goto(`${master.url}/#/builders/unit`);
    const rows = page.locator('.builds-table tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    const loaded = Date.now() - t0;
    expect(loaded).toBeLessThan(3000);
    // 3,334 seeded, and PRs 31, 32 and 34.
    expect(await page.locator('.pager .range').textContent()).toBe('1–25 of 3,337');
    expect(await rows.first().textContent()).toMatch(/^#3337/);
    // Each PR's title and author beside its number (seeded builds have no webhook, so none).
    const fork = page.locator('.builds-table .pr', { hasText: 'Fix a typo' });
    expect(await fork.count()).toBe(1);
    expect(await fork.textContent()).toBe('#31 Fix a typo (from a fork) by outsider');
    expect(await fork.locator('a').getAttribute('href')).toBe(`https://github.com/${TEST_REPO}/pull/31`);

    await page.locator('.pager a[rel="next"]').click();
    await expect.poll(() => rows.first().textContent()).toMatch(/^#3312/);
    expect(page.url()).toContain('offset=25');

    await page.selectOption('.filters select', 'failure');
    await expect.poll(() => page.locator('.pager .range').textContent()).toMatch(/^1–25 of /);
    const statuses = await rows.locator('.pill').allTextContents();
    expect(statuses.every((s) => s.includes('failure'))).toBe(true);

    await page.fill('.filters input', '#32');
    await page.press('.filters input', 'Enter');
    await expect.poll(() => page.url()).toContain('pr=32');
    await expect.poll(() => page.locator('.empty-state').textContent()).toBe('No build matches these filters.'); // no failed build of PR 32
    await page.selectOption('.filters select', '');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    expect((await rows.locator('td:nth-child(3)').allTextContents()).every((t) => /^#32( |$)/.test(t))).toBe(true);
    await page.locator('.filters .link-button').click();
    await expect.poll(() => page.locator('.pager .range').textContent()).toBe('1–25 of 3,337');
    await screenshotBoth(page, 'builder-history');

    await page.goto(`${master.url}/#/builders`);
    await expect.poll(() => page.locator('[data-builder="lvm"] a.badge').count()).toBe(15);
    await screenshotBoth(page, 'builders-10k');
    expect(browser.errors).toEqual([]);
  });
});
