// The server side of the UI, through fastify's inject: the built page at `/` (or a page saying how
// to build it), and the read endpoints the pages use.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiRoutes } from '../../master/ui/ui-routes.js';
import type { ApiBuilderSummary, ApiList, ApiQueueEntry } from '../../master/api/schemas/index.js';
import { seedBuilds } from '../../bench/seed-builds.js';
import { ensureUiBuilt } from '../support/browser.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startTestMaster, type TestMaster } from '../support/test-master.js';
import { TEST_REPO } from '../support/test-config.js';
import { prPayload, UI_BUILDERS } from './ui-master.js';

describe('serving the UI', () => {
  let master: TestMaster;
  beforeAll(async () => {
    await ensureUiBuilt();
    master = await startTestMaster({ builders: UI_BUILDERS });
  }, 120_000);
  afterAll(async () => master?.stop());

  it('serves index.html at / with a strict content security policy, never cached', async () => {
    const res = await master.app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(res.body)?.[1];
    expect(script).toBeDefined();
    const asset = await master.app.inject(`/${script}`);
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers other page paths with the page, and keeps API and webhook 404s', async () => {
    expect((await master.app.inject({ url: '/builders/lvm', headers: { accept: 'text/html' } })).body).toContain('<div id="app">');
    const api = await master.app.inject({ url: '/api/v2/nothing', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/json/);
    expect((await master.app.inject({ url: '/favicon.ico' })).statusCode).toBe(404);
    expect((await master.app.inject({ url: '/change_hook/github', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });

  it('without built assets, says how to build them and keeps the API up', async () => {
    const dir = makeTempDir();
    const app = Fastify();
    await app.register(uiRoutes, { root: path.join(dir.path, 'nowhere') });
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build:ui');
    await app.close();
    dir.remove();
  });
});

describe('UI read endpoints', () => {
  let master: TestMaster;
  beforeAll(async () => {
    master = await startTestMaster({ title: 'Acme CI', builders: UI_BUILDERS, logs: { remote: 'https://github.com/acme/ci-logs.git' } });
    seedBuilds(master.db, { count: 100, builders: ['unit', 'lvm'], repo: TEST_REPO });
    await master.send('pull_request', prPayload(5, '5'.repeat(40), { fork: true }));
    await master.send('pull_request', prPayload(6, '6'.repeat(40)));
    master.dispatcher.dispatchNow();
  });
  afterAll(async () => master?.stop());

  it('GET /api/v2/ui/info: title, link bases, approve command, logs branch', async () => {
    expect(await master.get('/api/v2/ui/info')).toEqual({
      title: 'Acme CI', repo: TEST_REPO, repos: [TEST_REPO], web_url: 'https://github.com', approve_command: '/ok-to-test', actions: true,
      logs: { branch: 'ci-logs', web_url: 'https://github.com/acme/ci-logs/tree/ci-logs' }, repo_logs: {},
    });
  });

  it('GET /api/v2/ui/builders: every configured builder, its state, last 15 builds newest first, and its workers', async () => {
    const { builders } = await master.get<ApiList<'builders', ApiBuilderSummary>>('/api/v2/ui/builders');
    expect(builders.map((b) => b.name)).toEqual(['unit', 'lvm', 'docs']);
    const [unit, lvm, docs] = builders as [ApiBuilderSummary, ApiBuilderSummary, ApiBuilderSummary];
    expect(unit).toMatchObject({ state: 'waiting', running: 0, queued: 1, awaiting_approval: 1, steps: ['compile', 'test'], workers: [{ name: 'w1', connected: false }] });
    expect(unit.recent).toHaveLength(15);
    expect(unit.recent[0]).toMatchObject({ number: 52, pr: 6, state: 'queued' });
    expect(unit.recent.map((b) => b.id)).toEqual([...unit.recent.map((b) => b.id)].sort((a, b) => b - a));
    expect(lvm.workers).toEqual([]); // needs the "storage" label; w1 has none
    expect(docs).toMatchObject({ state: 'idle', recent: [], queued: 0 });
    expect(Object.keys(unit.recent[0] ?? {})).not.toContain('clone_url');
  });

  it('GET /api/v2/queue: waiting requests, oldest first, each with why', async () => {
    const queue = await master.get<ApiList<'buildrequests', ApiQueueEntry>>('/api/v2/queue');
    expect(queue.meta.total).toBe(4);
    expect(queue.buildrequests.map((r) => [r.builder, r.pr, r.state])).toEqual([
      ['unit', 5, 'awaiting-approval'], ['lvm', 5, 'awaiting-approval'], ['unit', 6, 'queued'], ['lvm', 6, 'queued'],
    ]);
    expect(queue.buildrequests[3]?.waiting).toBe('no connected worker matches labels storage');
    expect(queue.buildrequests[2]?.number).toBe(52);
    const page = await master.get<ApiList<'buildrequests', ApiQueueEntry>>('/api/v2/queue?limit=1&offset=2');
    expect(page.buildrequests.map((r) => r.pr)).toEqual([6]);
    expect((await master.app.inject('/api/v2/queue?limit=0')).statusCode).toBe(400);
  });

  it('GET /api/v2/builds/:id/artifacts and /junit: lists, serves and summarizes what a build collected', async () => {
    const file = path.join(master.dataDir, 'artifacts', '1', 'out', 'junit.xml');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '<testsuite name="s"><testcase name="a"/><testcase name="b"><failure message="no">trace</failure></testcase></testsuite>');
    master.db.prepare(`INSERT INTO artifacts (build_id, step, kind, path, size, stored_at, created_at) VALUES (1, '0', 'junit', 'out/junit.xml', 100, ?, 1)`).run(file);
    const list = await master.get<ApiList<'artifacts', { id: number; path: string }>>('/api/v2/builds/1/artifacts');
    expect(list.artifacts).toEqual([{ id: 1, step: '0', kind: 'junit', path: 'out/junit.xml', size: 100, created_at: 1 }]);
    const download = await master.app.inject('/api/v2/builds/1/artifacts/1');
    expect(download.headers['content-disposition']).toBe('attachment; filename="junit.xml"');
    expect(download.body).toContain('<testsuite');
    expect(await master.get('/api/v2/builds/1/junit')).toEqual({
      tests: 2, failed: 1, skipped: 0, unreadable: [], files: ['out/junit.xml'],
      failures: [{ kind: 'failure', suite: 's', classname: '', name: 'b', message: 'no', detail: 'trace' }],
    });
    expect(await master.get('/api/v2/builds/2/junit')).toEqual({ tests: 0, failed: 0, skipped: 0, failures: [], unreadable: [], files: [] });
    expect((await master.app.inject('/api/v2/builds/9999/junit')).statusCode).toBe(404);
    expect((await master.app.inject('/api/v2/builds/1/artifacts/77')).statusCode).toBe(404);
  });
});
