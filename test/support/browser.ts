// Real headless Chromium for the UI tests: Debian's /usr/bin/chromium driven by playwright-core,
// a fresh profile per launch. Also: build the UI assets when they are missing or older than their
// sources, and save screenshots under test-output/screenshots/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ROOT } from './master-process.js';
import { requirePrerequisite } from './require-prerequisite.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Whether the UI tests can run here: skips without Chromium, or fails in CI (see require-prerequisite.ts). */
export function chromiumAvailable(): boolean {
  return requirePrerequisite('UI tests', existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install Debian's chromium package; .ci/run does)`);
}
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 390, height: 844 };

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Build dist/ui unless it is newer than every source. Test files run in parallel processes, so a
 * lock directory makes one of them build while the others wait.
 */
export async function ensureUiBuilt(): Promise<void> {
  const index = path.join(ROOT, 'dist/ui/index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'master/ui/web')), newestMtime(path.join(ROOT, 'master/api/schemas')));
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= sources;
  const lock = path.join(ROOT, 'dist/.ui-build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  for (const started = Date.now(); !fresh(); ) {
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() - started > 120_000) throw new Error(`waited 2 min for another UI build (remove ${lock} if it is stale)`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!fresh()) execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'master/ui/web/vite.config.ts', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab at 1280×900 that fails the test on page errors (see `errors`). */
  newPage(): Promise<Page>;
  /** Uncaught errors and console errors of every page so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'gatehouse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport: WIDE, timeout: 30_000 });
  context.setDefaultTimeout(10_000);
  const errors: string[] = [];
  return {
    context,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Full-page screenshots at 1280 and 390 px wide (`<name>-1280.png`, `<name>-390.png`). Throws when
 * the page is wider than the window at either width: nothing may need sideways scrolling.
 */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize() ?? WIDE;
  for (const size of [WIDE, NARROW]) {
    await page.setViewportSize(size);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size.width}.png`), fullPage: true, animations: 'disabled' });
    const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    if (wide > size.width) throw new Error(`${name}: the page is ${wide} px wide in a ${size.width} px window`);
  }
  await page.setViewportSize(before);
}

// The test code is type-checked without DOM types; these functions run in the page, where they exist.
interface PageGlobals {
  getComputedStyle(el: unknown): Record<string, string>;
  document: { activeElement: unknown };
}
/** A computed style property of the element. */
export const cssOf = (locator: Locator, property: string) =>
  locator.evaluate((el, p) => (globalThis as unknown as PageGlobals).getComputedStyle(el)[p] as string, property);
/** Whether the element has the keyboard focus. */
export const isFocused = (locator: Locator) => locator.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement);
