// Images over time in the UI: the workers page shows each worker's images, the current version with
// its build and verify dates and the other versions (an obsolete one too), updated when the worker
// reports a switch; the build page shows which image version the build booted. Through the real
// master, its API and the protocol (hello.imageVersions, the `images` message, build.finished.image).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ImageFamilyReport } from '../../shared/protocol.js';
import { chromiumAvailable, screenshotBoth, type TestBrowser } from '../support/browser.js';
import { FakeWorker } from './fake-worker.js';
import { prPayload, type UiMaster } from './ui-master.js';
import { closeUiSession, startUiSession } from './ui-session.js';

const hasChromium = chromiumAvailable();

const before: ImageFamilyReport[] = [{
  image: 'debian-x86_64',
  current: 'debian-x86_64-20261119',
  versions: [
    { name: 'debian-x86_64-20261029', state: 'obsolete', builtAt: '2026-10-29T03:00:00.000Z', verifiedAt: '2026-10-29T03:04:00.000Z', obsoleteAt: '2026-11-20T03:00:00.000Z' },
    { name: 'debian-x86_64-20261112', state: 'previous', builtAt: '2026-11-12T03:00:00.000Z', verifiedAt: '2026-11-12T03:05:00.000Z', lastUsedAt: '2026-11-19T08:00:00.000Z' },
    { name: 'debian-x86_64-20261119', state: 'current', builtAt: '2026-11-19T03:00:00.000Z', verifiedAt: '2026-11-19T03:05:00.000Z', lastUsedAt: '2026-11-25T16:00:00.000Z' },
  ],
}];
const after: ImageFamilyReport[] = [{
  ...before[0] as ImageFamilyReport,
  current: 'debian-x86_64-20261126',
  versions: [
    ...(before[0] as ImageFamilyReport).versions.map((v) => (v.state === 'current' ? { ...v, state: 'previous' as const } : v)),
    { name: 'debian-x86_64-20261126', state: 'current', builtAt: '2026-11-26T03:00:00.000Z', verifiedAt: '2026-11-26T03:04:30.000Z' },
  ],
}];

describe.skipIf(!hasChromium)('image versions on the workers and build pages (Chromium)', () => {
  let master: UiMaster;
  let browser: TestBrowser;
  let page: Page;
  let worker: FakeWorker;

  beforeAll(async () => {
    ({ master, worker, browser, page } = await startUiSession(
      { builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'make test' }] }] },
      { name: 'w1', slots: 2, hello: { images: ['debian-x86_64'], imageVersions: before } },
    ));
  }, 120_000);
  afterAll(() => closeUiSession({ master, worker, browser }));

  it('lists each image with its current version and dates, and follows a switch', async () => {
    const api = await master.get<{ workers: Array<{ name: string; image_versions: ImageFamilyReport[] }> }>('/api/v2/workers');
    expect(api.workers[0]?.image_versions).toEqual(before);
    await page.goto(`${master.url}/#/workers`);
    const image = page.locator('tr[data-worker="w1"] [data-image="debian-x86_64"]');
    await expect.poll(() => image.locator('[data-current]').textContent()).toBe('debian-x86_64-20261119');
    expect(await image.textContent()).toContain('built 2026-11-19, verified 2026-11-19, last used 2026-11-25');
    expect(await image.locator('[data-state="obsolete"]').textContent()).toBe('debian-x86_64-20261029 (obsolete since 2026-11-20)');
    expect(await image.locator('[data-state="previous"]').textContent()).toBe('debian-x86_64-20261112 (previous, last used 2026-11-19)');

    worker.notify({ type: 'images', imageVersions: after });
    await expect.poll(() => image.locator('[data-current]').textContent()).toBe('debian-x86_64-20261126');
    expect(await image.locator('[data-version="debian-x86_64-20261119"]').getAttribute('data-state')).toBe('previous');
    await screenshotBoth(page, 'workers-images');
  });

  it('shows the image version a build booted', async () => {
    await master.send('pull_request', prPayload(41, 'a'.repeat(40)));
    const b = await worker.build();
    const at = Date.parse('2026-11-26T10:00:00Z');
    await worker.send({ type: 'build.finished', buildId: b.buildId, result: 'success', image: { image: 'debian-x86_64', version: 'debian-x86_64-20261126', at } });
    const build = await master.get<{ builds: Array<{ image: string | null; image_version: string | null; image_used_at: number | null }> }>(`/api/v2/builds/${b.buildId}`);
    expect(build.builds[0]).toMatchObject({ image: 'debian-x86_64', image_version: 'debian-x86_64-20261126', image_used_at: at });
    await page.goto(`${master.url}/#/builds/${b.buildId}`);
    await expect.poll(() => page.locator('[data-image-version]').getAttribute('data-image-version')).toBe('debian-x86_64-20261126');
    expect(await page.locator('[data-image-version]').textContent()).toMatch(/^debian-x86_64debian-x86_64-20261126booted /);
  });
});
