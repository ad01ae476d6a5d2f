// The build page: a failed build opens on its failed step's log (colours, line numbers, search),
// a running step's log follows live, and Rebuild asks for the admin token and queues a build.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cssOf, chromiumAvailable, isFocused, screenshotBoth, type TestBrowser } from '../support/browser.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { FakeWorker } from './fake-worker.js';
import { prPayload, type UiMaster } from './ui-master.js';
import { closeUiSession, startUiSession } from './ui-session.js';

const hasChromium = chromiumAvailable();

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="volumes" tests="3" failures="1">
  <testcase classname="volumes.LvmTest" name="test_create" time="0.41"/>
  <testcase classname="volumes.LvmTest" name="test_resize" time="1.20"><failure message="expected 2 GiB, got 1 GiB">AssertionError: expected 2 GiB, got 1 GiB
  at test_resize (volumes.py:88)</failure></testcase>
  <testcase classname="volumes.LvmTest" name="test_snapshot"><skipped message="no thin pool"/></testcase>
</testsuite></testsuites>`;

describe.skipIf(!hasChromium)('build page (Chromium)', () => {
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;
  let worker: FakeWorker;
  let started = 0;
  /** Open PR `n` and return the unit build the master started on the fake worker. */
  const startUnitBuild = async (n: number) => {
    await master.send('pull_request', prPayload(n, n.toString(16).padStart(40, 'c')));
    return worker.build(started++);
  };

  beforeAll(async () => {
    ({ master, worker, browser, page } = await startUiSession({
      builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'compile', run: 'make' }, { name: 'test', run: 'make test' }, { name: 'report', run: './report', always: true }] }],
    }));
  }, 120_000);
  afterAll(() => closeUiSession({ master, worker, browser }));

  it('opens a failed build on its failed step, with its log in colour, line numbers and search', async () => {
    const b = await startUnitBuild(21);
    await worker.stepStarted(b.buildId, '0', 'compile');
    await worker.log(b.buildId, '0', 'cc -c app.c\ncc -o app app.o\n');
    await worker.stepFinished(b.buildId, '0', 'success', 0, 4200);
    await worker.stepStarted(b.buildId, '1', 'test');
    const lines = Array.from({ length: 60 }, (_, i) => `\x1b[32mPASS\x1b[0m test_${i}`);
    await worker.log(b.buildId, '1', `${lines.join('\n')}\n\x1b[1;31mFAIL\x1b[0m test_resize: expected 2 GiB, got 1 GiB\n`);
    await worker.log(b.buildId, '1', 'make: *** [test] Error 1\n', 'stderr');
    await worker.junit(b.buildId, '1', 'results/junit.xml', JUNIT);
    await worker.stepFinished(b.buildId, '1', 'failure', 2, 61_000);
    await worker.buildFinished(b.buildId, 'failure', 'step test failed');

    await page.goto(`${master.url}/#/builds/${b.buildId}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('unit #1');
    const failed = page.locator('.step[data-step="1"]');
    expect(await failed.getAttribute('data-status')).toBe('failure');
    expect(await failed.locator('.step-exit').textContent()).toBe('exit 2');
    expect(await failed.locator('.step-head').getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('.step[data-step="0"] .step-head').getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('.step[data-step="2"]').getAttribute('data-status')).toBe('not-run');

    // The log: the failing line in bold red, numbered; the scroll box holds its end in view after a search.
    const log = failed.locator('.log');
    await expect.poll(() => log.locator('.ll').count()).toBeGreaterThan(20);
    const fail = log.locator('.ll', { hasText: 'FAIL test_resize' });
    await log.locator('input[type="search"]').fill('test_resize');
    await expect.poll(() => fail.isVisible()).toBe(true);
    expect(await log.locator('.log-count').textContent()).toBe('1 of 1');
    expect(await fail.locator('.ln').textContent()).toBe('61');
    expect(await fail.locator('mark').textContent()).toBe('test_resize');
    await log.locator('input[type="search"]').fill('');
    await expect.poll(() => fail.locator('.fg-c1.a-b').textContent()).toBe('FAIL');
    expect(await cssOf(fail.locator('.fg-c1'), 'color')).toBe('rgb(255, 123, 114)');
    expect(await log.locator('a.download').getAttribute('href')).toBe(`api/v2/builds/${b.buildId}/steps/1/log`);

    // JUnit: the failure first, with its message.
    expect(await page.locator('.junit-totals').textContent()).toMatch(/3 tests: 1 passed, 1 failed, 1 skipped/);
    expect(await page.locator('.junit .cases > .case').first().textContent()).toContain('volumes.LvmTest.test_resize');
    expect(await page.locator('.case-message').first().textContent()).toBe('expected 2 GiB, got 1 GiB');
    expect(await page.locator('.facts').textContent()).toContain('step test failed');
    await screenshotBoth(page, 'build-failed');
  });

  it('opens a deep link at its step and line, marks the line, and each line number links to itself', async () => {
    // Build 1 (the failed build above): step 0 (compile, 2 lines) and step 1 (test, 62 lines).
    await page.goto(`${master.url}/#/builds/1/steps/1/L30`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('unit #1');
    const step = page.locator('.step[data-step="1"]');
    expect(await step.locator('.step-head').getAttribute('aria-expanded')).toBe('true');
    const target = step.locator('.ll.target');
    await expect.poll(() => target.count()).toBe(1);
    expect(await target.getAttribute('data-line')).toBe('30');
    expect(await target.textContent()).toBe('30PASS test_29'); // the number, then the line (tests count from 0)
    await expect.poll(() => target.isVisible()).toBe(true);
    // The line is in the box's view, not just rendered: the box was scrolled to it.
    const inView = await target.evaluate((el) => {
      const box = el.closest('.log-scroll')!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.top >= box.top && r.bottom <= box.bottom;
    });
    expect(inView).toBe(true);

    // A step that is not open by default opens from its link too; its own link says where it is.
    await page.goto(`${master.url}/#/builds/1/steps/0`);
    await expect.poll(() => page.locator('.step[data-step="0"] .step-head').getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('.step[data-step="0"] .step-link').getAttribute('href')).toBe('#/builds/1/steps/0');

    // A line number is the line's address.
    await page.locator('.step[data-step="0"] .ll[data-line="2"] a.ln').click();
    await expect.poll(() => page.url()).toMatch(/#\/builds\/1\/steps\/0\/L2$/);
    await expect.poll(() => page.locator('.step[data-step="0"] .ll.target').getAttribute('data-line')).toBe('2');
    await screenshotBoth(page, 'build-deep-link');
  });

  it('follows a running step\'s log live, and shows the step finishing', async () => {
    const b = await startUnitBuild(22);
    await worker.stepStarted(b.buildId, '0', 'compile');
    await worker.log(b.buildId, '0', Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');

    await page.goto(`${master.url}/#/builds/${b.buildId}`);
    const step = page.locator('.step[data-step="0"]');
    await expect.poll(() => step.getAttribute('data-status')).toBe('running');
    expect(await step.locator('.step-head').getAttribute('aria-expanded')).toBe('true');
    const log = step.locator('.log');
    await expect.poll(() => log.locator('.ll', { hasText: 'line 50' }).isVisible()).toBe(true);
    expect(await log.locator('.follow input').isChecked()).toBe(true);

    // More output arrives while the page is open: it appears, and the box keeps the newest line in view.
    for (let i = 51; i <= 200; i += 50) {
      await worker.log(b.buildId, '0', Array.from({ length: 50 }, (_, k) => `line ${i + k}`).join('\n') + '\n');
    }
    const last = log.locator('.ll', { hasText: /^\d+line 200$/ });
    await expect.poll(() => last.isVisible()).toBe(true);
    const box = await log.locator('.log-scroll').evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
    expect(box.max).toBeGreaterThan(0);
    expect(box.top).toBeGreaterThanOrEqual(box.max - 20);
    expect(await last.locator('.ln').textContent()).toBe('200');
    await screenshotBoth(page, 'build-running');

    await worker.log(b.buildId, '0', 'done\n');
    await worker.stepFinished(b.buildId, '0', 'success', 0);
    await expect.poll(() => step.getAttribute('data-status')).toBe('success');
    await expect.poll(() => log.locator('.ll', { hasText: 'done' }).isVisible()).toBe(true);
    await worker.stepStarted(b.buildId, '1', 'test');
    await expect.poll(() => page.locator('.step[data-step="1"]').getAttribute('data-status')).toBe('running');
    await worker.stepFinished(b.buildId, '1', 'success', 0);
    await worker.buildFinished(b.buildId, 'success');
    await expect.poll(() => page.locator('.title-row .pill').textContent()).toContain('success');
    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
  });

  it('asks for the admin token on Rebuild, keeps it for the tab, and opens the queued build', async () => {
    worker.close(); // no worker: the rebuild stays queued
    await page.goto(`${master.url}/#/builds/1`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('unit #1');
    await page.locator('button', { hasText: 'Rebuild' }).click();
    const dialog = page.locator('dialog.token-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await isFocused(dialog.locator('input[type="password"]'))).toBe(true);

    await dialog.locator('input').fill('wrong-token');
    await dialog.locator('button[type="submit"]').click();
    await expect.poll(() => dialog.locator('#token-help').textContent()).toContain('refused');

    await dialog.locator('input').fill(TEST_SECRETS.ADMIN_TOKEN);
    await dialog.locator('button[type="submit"]').click();
    await expect.poll(() => page.url()).not.toMatch(/#\/builds\/1$/);
    const rebuiltId = Number(page.url().split('/').pop());
    expect(rebuiltId).toBeGreaterThan(1);
    await expect.poll(() => page.locator('h1').textContent()).toBe('unit #3');
    expect(await page.locator('.title-row .pill').textContent()).toContain('queued');
    expect(await page.locator('.facts').textContent()).toContain('rebuild of #1 requested from the UI');
    expect(await dialog.isVisible()).toBe(false);
    expect(await page.evaluate('sessionStorage.getItem("gatehouse.adminToken")')).toBe(TEST_SECRETS.ADMIN_TOKEN);

    // The token is not asked again in this tab: Cancel goes straight through.
    await page.locator('.actions button', { hasText: 'Cancel' }).click();
    await expect.poll(() => page.locator('.title-row .pill').textContent()).toContain('cancelled');
    expect(await dialog.isVisible()).toBe(false);
    const build = await master.get<{ builds: Array<{ result: string; result_reason: string | null }> }>(`/api/v2/builds/${rebuiltId}`);
    expect(build.builds[0]).toMatchObject({ result: 'cancelled', result_reason: 'cancelled from the UI' });
    expect(browser.errors.filter((e) => !e.includes('401'))).toEqual([]);
  });
});
