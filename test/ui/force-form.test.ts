// The builder page's forced-build form: the ref and the builder's declared properties, the admin
// token asked once, the build queued through the GitHub stand-in and opened. Its screenshots are
// saved beside the others under test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, ensureUiBuilt, launchBrowser, screenshotBoth, type TestBrowser } from '../support/browser.js';
import { TEST_REPO, TEST_SECRETS } from '../support/test-config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../support/github-test-client.js';
import { startUiMaster, type UiMaster } from './ui-master.js';

const hasChromium = chromiumAvailable();
const MAIN = 'd'.repeat(40);

describe.skipIf(!hasChromium)('forced-build form (Chromium)', () => {
  let gh: GitHubStandIn;
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    await ensureUiBuilt();
    gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { refs: { 'refs/heads/main': MAIN } } } });
    master = await startUiMaster({
      builders: [{
        name: 'docker-ce', executor: 'host', triggers: { pullRequest: false, schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin', onlyIfChanged: true } },
        properties: {
          distros: { description: 'which distributions to package', default: 'debian-bookworm ubuntu-noble' },
          channel: { description: 'where the packages go', default: 'test', choices: ['test', 'stable'] },
        },
        steps: [{ name: 'package', run: 'make deb' }],
      }],
      github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, reconcileInterval: 0 },
    }, createTestGitHubClient(gh));
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await master?.stop();
    await gh?.close();
  });

  it('builds a branch with the properties chosen, and opens the build', async () => {
    await page.goto(`${master.url}/#/builders/docker-ce`);
    await expect.poll(() => page.locator('.schedule-note').textContent()).toContain('0 3 * * *');
    await page.locator('details.force summary').click();
    const form = page.locator('form.force-form');
    expect(await form.locator('select[name="channel"]').inputValue()).toBe('test');
    expect(await form.locator('input[name="distros"]').inputValue()).toBe('debian-bookworm ubuntu-noble');
    await form.locator('input[name="ref"]').fill('main');
    await form.locator('select[name="channel"]').selectOption('stable');
    await screenshotBoth(page, 'force-form');

    await form.locator('button[type="submit"]').click();
    const dialog = page.locator('dialog.token-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.locator('input').fill(TEST_SECRETS.ADMIN_TOKEN);
    await dialog.locator('button[type="submit"]').click();
    // The master asks the GitHub stand-in (which checks each request against GitHub's description) first.
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/#\/builds\/\d+$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('docker-ce #1');
    expect(await page.locator('.facts').textContent()).toContain(`forced build of main (${MAIN.slice(0, 7)}) requested from the UI`);
    const id = Number(page.url().split('/').pop());
    expect(master.builds.get(id)).toMatchObject({ sha: MAIN, ref: 'refs/heads/main', properties: JSON.stringify({ distros: 'debian-bookworm ubuntu-noble', channel: 'stable' }) });
    expect(browser.errors).toEqual([]);
  });
});
