// The builders page follows the master live: a signed webhook makes a badge appear, a worker
// running the build turns it blue, and its success turns it green, without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cssOf, ensureUiBuilt, chromiumAvailable, launchBrowser, screenshotBoth, type TestBrowser } from '../support/browser.js';
import { FakeWorker } from './fake-worker.js';
import { prPayload, startUiMaster, type UiMaster } from './ui-master.js';

const hasChromium = chromiumAvailable();

/** Sum of layout-shift scores since `watchShifts` (shifts right after user input do not count). */
const watchShifts = (page: Page) =>
  page.evaluate(`(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
    }).observe({ type: 'layout-shift', buffered: false });
  })()`);
const shifts = (page: Page) => page.evaluate('window.__shift') as Promise<number>;

describe.skipIf(!hasChromium)('builders page (Chromium)', () => {
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    await ensureUiBuilt();
    master = await startUiMaster();
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await master?.stop();
  });

  it('lists every configured builder, with its state, empty strip and workers', async () => {
    await page.goto(master.url);
    await expect.poll(() => page.locator('.builder-row').count()).toBe(3);
    expect(await page.locator('.builder-row h2').allTextContents()).toEqual(['unit', 'lvm', 'docs']);
    expect(await page.locator('[data-builder="unit"]').getAttribute('data-state')).toBe('idle');
    expect(await page.locator('[data-builder="unit"] .badge.empty').count()).toBe(15);
    // w1 has no "storage" label: lvm says who it needs instead of listing it.
    expect(await page.locator('[data-builder="unit"] .worker-chips').textContent()).toContain('w1');
    expect(await page.locator('[data-builder="lvm"]').textContent()).toContain('No known worker can run it (needs labels storage)');
    await expect.poll(() => page.locator('.stream').textContent()).toContain('live');
    expect(await page.title()).toBe('Builders · Acme storage CI');
  });

  it('shows a badge for a webhook sent while the page is open, and turns it green when the build succeeds', async () => {
    await watchShifts(page);
    const unit = page.locator('[data-builder="unit"]');
    const sent = await master.send('pull_request', prPayload(7, 'a'.repeat(40)));
    expect(sent.status).toBe(200);

    const badge = unit.locator('a.badge').first();
    await expect.poll(() => badge.getAttribute('data-status')).toBe('queued');
    expect(await unit.getAttribute('data-state')).toBe('waiting');
    expect(await badge.getAttribute('aria-label')).toMatch(/^Build #1: PR #7, aaaaaaa, queued, not started$/);

    // A worker connects; the master dispatches the build to it.
    const worker = await FakeWorker.connect(master.url);
    const spec = await worker.build();
    await expect.poll(() => badge.getAttribute('data-status')).toBe('running');
    expect(await unit.getAttribute('data-state')).toBe('running');

    await worker.stepStarted(spec.buildId, '0', 'compile');
    await worker.log(spec.buildId, '0', 'cc -o app app.c\n');
    await worker.stepFinished(spec.buildId, '0', 'success', 0);
    await worker.stepStarted(spec.buildId, '1', 'test');
    await worker.stepFinished(spec.buildId, '1', 'success', 0);
    await worker.buildFinished(spec.buildId, 'success');

    await expect.poll(() => badge.getAttribute('data-status')).toBe('success');
    expect(await unit.getAttribute('data-state')).toBe('idle');
    expect(await cssOf(badge, 'backgroundColor')).toBe('rgb(26, 127, 55)');
    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1); // no reload
    expect(await shifts(page)).toBeLessThan(0.01);
    worker.close();
  });

  it('shows the badge tooltip on hover and on keyboard focus', async () => {
    const badge = page.locator('[data-builder="unit"] a.badge').first();
    await badge.hover();
    const tip = badge.locator('.tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/#1 success.*PR #7 · aaaaaaa/);
    await page.mouse.move(1, 1);
    await badge.focus();
    expect(await tip.isVisible()).toBe(true);
  });

  it('is reachable by keyboard: skip link, nav links, builders and badges', async () => {
    await page.goto('about:blank');
    await page.goto(`${master.url}/#/builders`);
    await page.locator('.builder-row').first().waitFor();
    const visited: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      visited.push(await page.evaluate('document.activeElement.textContent.trim() || document.activeElement.getAttribute("aria-label")') as string);
    }
    expect(visited.slice(0, 6)).toEqual(['Skip to content', 'Acme storage CI', 'Builders', 'Queue', 'Workers', 'Deliveries']);
    expect(visited).toContain('unit');
    await screenshotBoth(page, 'builders');
    expect(browser.errors).toEqual([]);
  });
});
