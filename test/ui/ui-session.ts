// What a browser test of the UI with a worker starts from: the built UI, a master serving it, a fake
// worker connected to it, and a Chromium page. `close` ends them, whatever started.
import type { Page } from 'playwright-core';
import type { ConfigInput } from '../../shared/config.js';
import type { Hello } from '../../shared/protocol.js';
import { ensureUiBuilt, launchBrowser, type TestBrowser } from '../support/browser.js';
import { FakeWorker } from './fake-worker.js';
import { startUiMaster, type UiMaster } from './ui-master.js';

export interface UiSession {
  master: UiMaster;
  worker: FakeWorker;
  browser: TestBrowser;
  page: Page;
}

export async function startUiSession(config: Partial<ConfigInput> = {}, worker: { name?: string; slots?: number; hello?: Partial<Hello> } = {}): Promise<UiSession> {
  await ensureUiBuilt();
  const master = await startUiMaster(config);
  const fake = await FakeWorker.connect(master.url, worker.name, worker.slots, worker.hello);
  const browser = await launchBrowser();
  return { master, worker: fake, browser, page: await browser.newPage() };
}

export async function closeUiSession(session: Partial<UiSession>): Promise<void> {
  session.worker?.close();
  await session.browser?.close();
  await session.master?.stop();
}
