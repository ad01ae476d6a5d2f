// Forced builds through the API: a branch, tag, sha or pull request of the served repository,
// resolved through the real GitHub client against the OpenAPI-validated stand-in, queued through
// the change processor like a rebuild, with the properties the builder declares.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { parseConfig } from '../../../shared/config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';
import { buildSpec } from '../../../master/dispatch/build-spec.js';
import type { BuildRow } from '../../../master/store/build-store.js';

const MAIN = 'a'.repeat(40);
const TAG = 'b'.repeat(40);
const PR_HEAD = 'c'.repeat(40);
const admin = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const builders = [
  { name: 'unit', executor: 'host' as const, steps: [{ name: 'test', run: 'true' }] },
  {
    name: 'release', executor: 'host' as const, priority: 3, triggers: { pullRequest: false as const }, steps: [{ name: 'pack', run: 'true' }],
    properties: { channel: { description: 'where packages go', default: 'test', choices: ['test', 'stable'] }, note: {} },
  },
];

let gh: GitHubStandIn;
let master: TestMaster;

beforeEach(async () => {
  gh = await startGitHubStandIn({
    repos: { [TEST_REPO]: { refs: { 'refs/heads/main': MAIN, 'refs/tags/v1.0': TAG }, pulls: [{ number: 12, head: { sha: PR_HEAD }, state: 'closed' }] } },
  });
  master = await startTestMaster({ builders }, createTestGitHubClient(gh));
});
afterEach(async () => {
  await master?.stop();
  await gh?.close();
});

async function force(builder: string, body: unknown, headers: Record<string, string> = admin) {
  const res = await master.app.inject({ method: 'POST', url: `/api/v2/builders/${builder}/force`, headers, payload: body as object });
  return { status: res.statusCode, body: res.json() };
}

describe('forced builds', () => {
  it('builds a branch, a tag, a sha or a pull request, saying who asked', async () => {
    const branch = await force('unit', { ref: 'main', by: 'alice' });
    expect(branch).toMatchObject({ status: 202, body: { builds: [{ builder: 'unit', state: 'queued', sha: MAIN, ref: 'refs/heads/main', pr: null, repo: TEST_REPO }] } });
    expect(branch.body.builds[0].reason).toBe(`forced build of main (${MAIN.slice(0, 7)}) requested through the API by alice`);
    const tag = await force('unit', { ref: 'v1.0' }, { ...admin, 'x-gatehouse-client': 'cli' });
    expect(tag.body.builds[0]).toMatchObject({ sha: TAG, ref: 'refs/tags/v1.0', reason: `forced build of v1.0 (${TAG.slice(0, 7)}) requested from the CLI` });
    expect((await force('unit', { ref: TAG })).body.builds[0]).toMatchObject({ sha: TAG, ref: TAG });
    expect((await force('unit', { ref: '#12' })).body.builds[0]).toMatchObject({ sha: PR_HEAD, ref: 'refs/pull/12/head', pr: 12 });
    // Each went through GitHub, as described by its OpenAPI document (the stand-in checks it).
    const lookups = gh.requests.map((r) => r.operationId).filter((op) => op === 'repos/get-commit' || op === 'pulls/get');
    expect(lookups).toEqual(['repos/get-commit', 'repos/get-commit', 'repos/get-commit', 'repos/get-commit', 'pulls/get']);
    const changes = await master.get<{ changes: Array<{ kind: string; author: string | null }> }>('/api/v2/changes?kind=force');
    expect(changes.changes.map((c) => c.author).sort()).toEqual(['admin', 'admin', 'admin', 'alice']);
  });

  it('gives the steps the properties set, and the defaults of the others', async () => {
    const res = await force('release', { ref: 'refs/heads/main', properties: { channel: 'stable' } });
    expect(res.status).toBe(202);
    const build = master.builds.get(res.body.builds[0].id) as BuildRow;
    const { config } = parseConfig(testConfig({ builders }), 'test config', { env: TEST_SECRETS });
    const spec = buildSpec(build, config.builders[1]!, config, { secrets: [], configDir: '.' });
    expect(spec.env).toMatchObject({ GATEHOUSE_PROP_channel: 'stable', GATEHOUSE_PROP_note: '' });
    // A rebuild of it sets them again.
    const again = await master.app.inject({ method: 'POST', url: '/api/v2/builders/release/rebuild', headers: admin, payload: { buildId: build.id } });
    expect(master.builds.get(again.json().builds[0].id)).toMatchObject({ sha: MAIN, ref: 'refs/heads/main', properties: JSON.stringify({ channel: 'stable' }) });
  });

  it('queues a forced build with the priority asked for, else its builder\'s', async () => {
    const asked = await force('unit', { ref: 'main', priority: 7 });
    const released = await force('release', { ref: 'main' });
    const plain = await force('unit', { ref: 'v1.0' });
    expect([asked.status, released.status, plain.status]).toEqual([202, 202, 202]);
    const queue = await master.get<{ buildrequests: Array<{ build_id: number; priority: number }> }>('/api/v2/queue');
    expect(queue.buildrequests.map((r) => [r.build_id, r.priority])).toEqual([
      [asked.body.builds[0].id, 7], [released.body.builds[0].id, 3], [plain.body.builds[0].id, 0],
    ]);
    expect(await force('unit', { ref: 'main', priority: 1.5 })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('refuses what cannot be built, with a code a client can test', async () => {
    expect(await force('unit', { ref: 'nowhere' })).toMatchObject({ status: 404, body: { code: 'ref_not_found', error: `${TEST_REPO} has no branch, tag, commit or pull request "nowhere"` } });
    expect(await force('unit', { ref: '#99' })).toMatchObject({ status: 404, body: { code: 'ref_not_found' } });
    expect(await force('nope', { ref: 'main' })).toMatchObject({ status: 404, body: { code: 'builder_not_found' } });
    expect(await force('release', { ref: 'main', properties: { colour: 'red' } })).toMatchObject({ status: 400, body: { code: 'unknown_property', error: 'builder "release": no property "colour" (it declares channel, note)' } });
    expect(await force('release', { ref: 'main', properties: { channel: 'beta' } })).toMatchObject({ status: 400, body: { code: 'unknown_property', error: 'builder "release": property "channel" is one of test, stable, not "beta"' } });
    expect(await force('unit', {})).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await force('unit', { ref: 'main' }, {})).toMatchObject({ status: 401, body: { code: 'admin_token_required' } });
    expect((await master.get<{ builds: unknown[] }>('/api/v2/builds')).builds).toEqual([]);
  });

  it('says a master without GitHub access cannot resolve a ref', async () => {
    await master.stop();
    master = await startTestMaster({ builders });
    expect(await force('unit', { ref: 'main' })).toMatchObject({ status: 503, body: { code: 'github_unavailable' } });
  });
});
