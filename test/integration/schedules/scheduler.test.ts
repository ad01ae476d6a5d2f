// The scheduler on an injected clock: the real stores over SQLite, the real GitHub client against
// the stand-in, and the clock moved by the test, which calls tick() where a timer would.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config.js';
import { parseConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/logger.js';
import { createScheduler } from '../../../master/schedules/scheduler.js';
import { openStoreDb, type StoreDb } from '../../support/store-db.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestGitHubClient } from '../../support/github-test-client.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const at = (iso: string) => Date.parse(iso);

let gh: GitHubStandIn;
let t: StoreDb;
let kicks: number;

beforeEach(async () => {
  gh = await startGitHubStandIn({ repos: { [TEST_REPO]: { refs: { 'refs/heads/main': A, 'refs/tags/v2': B } } } });
  t = openStoreDb();
  kicks = 0;
});
afterEach(async () => {
  t?.close();
  await gh?.close();
});

function scheduler(schedule: NonNullable<NonNullable<ConfigInput['builders'][number]['triggers']>['schedule']>) {
  const { config } = parseConfig(testConfig({
    builders: [
      { name: 'nightly', executor: 'host', triggers: { pullRequest: false, schedule }, steps: [{ name: 'build', run: 'true' }] },
      { name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] },
    ],
  }), 'test config', { env: TEST_SECRETS });
  return createScheduler({
    config, stores: t.stores, github: createTestGitHubClient(gh, 'ghp_testToken', { retries: 0 }), now: () => t.clock.now, logger: silentLogger,
    onChange: () => kicks++,
  });
}

/** The scheduled changes stored so far, oldest first. */
function scheduled() {
  return t.stores.changes.pending().filter((c) => c.change.kind === 'schedule').map((c) => ({ builder: c.change.builder, sha: c.change.sha, ref: c.change.ref, reason: c.change.reason }));
}

describe('scheduled builds', () => {
  it('counts a new schedule from now, then builds once per slot', async () => {
    const s = scheduler({ cron: '0 3 * * *', timezone: 'UTC' });
    t.clock.now = at('2026-03-10T12:00:00Z');
    await s.tick();
    expect(scheduled()).toEqual([]);
    t.clock.now = at('2026-03-11T02:59:59Z');
    await s.tick();
    expect(scheduled()).toEqual([]);
    t.clock.now = at('2026-03-11T03:00:00Z');
    await s.tick();
    await s.tick();
    expect(scheduled()).toEqual([{ builder: 'nightly', sha: A, ref: 'refs/heads/main', reason: 'scheduled build of refs/heads/main (0 3 * * * UTC: slot 2026-03-11T03:00:00.000Z)' }]);
    expect(kicks).toBe(1);
    expect(t.stores.scheduleRuns.get('nightly')).toMatchObject({ slot_at: at('2026-03-11T03:00:00Z'), sha: A });
  });

  it('runs slots missed while down once, at start, and remembers that across a restart', async () => {
    t.clock.now = at('2026-03-10T12:00:00Z');
    await scheduler({ cron: '0 3 * * *', timezone: 'UTC' }).tick();
    // Down for three nights; the master that starts then runs one build, for the newest slot.
    t.clock.now = at('2026-03-13T09:00:00Z');
    await scheduler({ cron: '0 3 * * *', timezone: 'UTC' }).tick();
    expect(scheduled()).toHaveLength(1);
    expect(scheduled()[0]?.reason).toContain('slot 2026-03-13T03:00:00.000Z');
    // Started again the same day: that slot is done.
    await scheduler({ cron: '0 3 * * *', timezone: 'UTC' }).tick();
    expect(scheduled()).toHaveLength(1);
  });

  it('with onlyIfChanged, builds only when the branch moved since the last scheduled build', async () => {
    const s = scheduler({ cron: '@daily', timezone: 'UTC', onlyIfChanged: true });
    t.clock.now = at('2026-03-10T12:00:00Z');
    await s.tick();
    t.clock.now = at('2026-03-11T00:00:00Z');
    await s.tick();
    t.clock.now = at('2026-03-12T00:00:00Z');
    await s.tick();
    expect(scheduled().map((c) => c.sha)).toEqual([A]);
    gh.state.setRef(TEST_REPO, 'refs/heads/main', B);
    t.clock.now = at('2026-03-13T00:00:00Z');
    await s.tick();
    expect(scheduled().map((c) => c.sha)).toEqual([A, B]);
    expect(t.stores.scheduleRuns.get('nightly')).toMatchObject({ slot_at: at('2026-03-13T00:00:00Z'), sha: B });
  });

  it('builds a tag', async () => {
    const s = scheduler({ cron: '0 3 * * *', tag: 'v2' });
    t.clock.now = at('2026-03-10T12:00:00Z');
    await s.tick();
    t.clock.now = at('2026-03-11T12:00:00Z');
    await s.tick();
    expect(scheduled()).toMatchObject([{ sha: B, ref: 'refs/tags/v2' }]);
  });

  it('tries a slot again when GitHub fails, and does not build it twice', async () => {
    const s = scheduler({ cron: '0 3 * * *', timezone: 'UTC' });
    t.clock.now = at('2026-03-10T12:00:00Z');
    await s.tick();
    t.clock.now = at('2026-03-11T03:00:00Z');
    gh.failNext('GET', '/repos/{owner}/{repo}/commits/{ref}', { status: 500 });
    expect(await s.tick()).toBe(false);
    expect(scheduled()).toEqual([]);
    t.clock.now += 60_000;
    expect(await s.tick()).toBe(true);
    expect(await s.tick()).toBe(true);
    expect(scheduled()).toHaveLength(1);
  });

  it('skips a slot whose branch does not exist, and builds the next once it does', async () => {
    const s = scheduler({ cron: '0 3 * * *', timezone: 'UTC', branch: 'release' });
    t.clock.now = at('2026-03-10T12:00:00Z');
    await s.tick();
    t.clock.now = at('2026-03-11T03:00:00Z');
    expect(await s.tick()).toBe(true);
    expect(scheduled()).toEqual([]);
    gh.state.setRef(TEST_REPO, 'refs/heads/release', B);
    t.clock.now = at('2026-03-12T03:00:00Z');
    await s.tick();
    expect(scheduled()).toMatchObject([{ sha: B, ref: 'refs/heads/release' }]);
  });
});
