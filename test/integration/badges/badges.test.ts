// GET /badges/<builder>.svg through the real master: the last verdict, per branch, cacheable, and
// the same neutral badge for a builder that does not exist as for one without a result.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { newBuild, pushChange } from '../../support/store-db.js';
import type { BuildResult } from '../../../shared/protocol.js';

describe('badges', () => {
  let master: TestMaster | undefined;
  afterEach(async () => {
    await master?.stop();
    master = undefined;
  });

  function finish(m: TestMaster, builder: string, result: BuildResult, over: Parameters<typeof newBuild>[1] = {}): void {
    const b = m.stores.builds.create(newBuild(builder, over));
    m.stores.builds.finish(b.id, result, null);
  }
  const badge = (m: TestMaster, url: string, headers: Record<string, string> = {}) => m.app.inject({ method: 'GET', url, headers });

  it('shows the last verdict of a builder, of any build or of pushes to one branch', async () => {
    master = await startTestMaster({ builders: [{ name: 'unit', executor: 'host', steps: [{ name: 't', run: 'true' }] }, { name: 'lint', executor: 'host', steps: [{ name: 't', run: 'true' }] }] });
    finish(master, 'unit', 'success', { pr: null, ref: 'refs/heads/main' });
    finish(master, 'unit', 'failure', { pr: 7 });
    finish(master, 'unit', 'cancelled', { pr: 8 });
    finish(master, 'lint', 'error');

    const any = await badge(master, '/badges/unit.svg');
    expect(any.statusCode).toBe(200);
    expect(any.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(any.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20" role="img" aria-label="unit: failing">/);
    expect((await badge(master, '/badges/unit.svg?branch=main')).body).toContain('aria-label="unit: passing"');
    expect((await badge(master, '/badges/unit.svg?branch=stable')).body).toContain('aria-label="unit: unknown"');
    expect((await badge(master, '/badges/lint.svg')).body).toContain('aria-label="lint: error"');
  });

  it('is cacheable: Cache-Control, an ETag, and 304 when it still matches', async () => {
    master = await startTestMaster();
    finish(master, 'unit', 'success');
    const first = await badge(master, '/badges/unit.svg');
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await badge(master, '/badges/unit.svg', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    finish(master, 'unit', 'failure');
    const changed = await badge(master, '/badges/unit.svg', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('answers an unknown builder as it answers a builder without results, and echoes no odd name', async () => {
    master = await startTestMaster();
    const unknown = await badge(master, '/badges/secret-builder.svg');
    const noResult = await badge(master, '/badges/unit.svg');
    expect(unknown.statusCode).toBe(200);
    for (const body of [unknown.body, noResult.body]) expect(body).toContain('fill="#9f9f9f"');
    expect(unknown.body).toContain('aria-label="secret-builder: unknown"');
    expect(noResult.body).toContain('aria-label="unit: unknown"');
    expect(unknown.headers['cache-control']).toBe(noResult.headers['cache-control']);
    const odd = await badge(master, `/badges/${encodeURIComponent('<script>x</script>')}.svg`);
    expect(odd.statusCode).toBe(200);
    expect(odd.body).toContain('aria-label="build: unknown"');
    expect(odd.body).not.toContain('script');
  });

  it('shows no pull request title or author', async () => {
    master = await startTestMaster();
    master.stores.changes.insert(null, pushChange({ kind: 'pull_request', event: 'pull_request', pr: 7, ref: null, title: 'Secret plans', author: 'mallory' }));
    finish(master, 'unit', 'failure', { pr: 7 });
    expect(master.stores.builds.latestVerdict('unit')).toMatchObject({ pr_title: 'Secret plans', pr_author: 'mallory' });
    const body = (await badge(master, '/badges/unit.svg')).body;
    expect(body.replace(/<[^>]+>/g, ' ').split(/\s+/).filter(Boolean)).toEqual(['unit:', 'failing', 'unit', 'unit', 'failing', 'failing']);
  });
});
