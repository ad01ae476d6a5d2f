// The badges as a README shows them: real Chromium loads /badges/<builder>.svg from a listening
// master; a screenshot of a passing and a failing badge goes to test-output/screenshots/badges.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, chromiumAvailable, launchBrowser, type TestBrowser } from '../support/browser.js';
import { startTestMaster, type TestMaster } from '../support/test-master.js';
import { newBuild } from '../support/store-db.js';

const SHOT = path.join(SCREENSHOTS, 'badges.png');

describe.runIf(chromiumAvailable())('badges in a browser', () => {
  let master: TestMaster;
  let browser: TestBrowser;
  let base: string;

  beforeAll(async () => {
    const step = [{ name: 't', run: 'true' }];
    master = await startTestMaster({ builders: ['lvm', 'ceph', 'nfs-backend'].map((name) => ({ name, executor: 'host' as const, steps: step })) });
    for (const [builder, result] of [['lvm', 'success'], ['ceph', 'failure']] as const) {
      const b = master.stores.builds.create(newBuild(builder));
      master.stores.builds.finish(b.id, result, null);
    }
    base = await master.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await master?.stop();
  });

  it('renders passing, failing and unknown badges at their own width', async () => {
    const page = await browser.newPage();
    const names = ['lvm', 'ceph', 'nfs-backend'];
    // Twice the size, so the screenshot is readable.
    await page.setContent(`<body style="background:#fff"><div id="shot" style="display:inline-block;padding:8px;zoom:2">${names.map((n) => `<p><img id="${n}" src="${base}/badges/${n}.svg" alt="${n}"></p>`).join('')}</div></body>`);
    for (const name of names) {
      const img = page.locator(`#${name}`);
      await expect.poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth)).toBeGreaterThan(40);
      const svg = await (await fetch(`${base}/badges/${name}.svg`)).text();
      const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
      expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(width);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('#shot').screenshot({ path: SHOT });
    expect(browser.errors).toEqual([]);
  });
});
