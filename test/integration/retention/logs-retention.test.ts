// Retention: the logs branch is rewritten to one orphan commit holding only recent build folders
// (force push), and local logs, artifacts and database rows of old builds go too; the master keeps
// publishing on the rewritten branch, also when `gatehouse prune` rewrote it from its own clone.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { createBareRepo, type BareRepo } from '../../support/bare-git-repo.js';
import { TEST_SECRETS } from '../../support/test-config.js';
import { parseConfig } from '../../../shared/config.js';
import { runPruneCommand } from '../../../master/retention/prune-command.js';
import { bytesUnder } from '../../../master/retention/build-disk-usage.js';
import { silentLogger } from '../../../shared/logger.js';
import type { BuildRow } from '../../../master/store/build-store.js';
import {
  addJunit, addStep, buildsOf, finishBuild, junitXml, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster,
} from '../../support/report-test-master.js';

const BRANCH = 'ci-logs';
const DAY = 86_400_000;
const sha = (n: number) => n.toString(16).padStart(40, 'e');
const folderOf = (id: number) => `unit/${id}-${sha(id).slice(0, 7)}-${id}`;

describe('retention', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setUp() {
    const dir = makeTempDir('gatehouse-retention-');
    cleanup.push(() => dir.remove());
    const bare = createBareRepo(dir.path);
    const config = { logs: { remote: bare.dir, branch: BRANCH, keepDays: 30 } };
    const m = await startReportMaster({ config, dataDir: path.join(dir.path, 'data') });
    cleanup.push(() => m.stop());
    return { bare, m, config };
  }

  /** A build of PR n that finished `daysAgo` days ago, published with that date. */
  async function oldBuild(m: ReportMaster, n: number, daysAgo: number): Promise<number> {
    await m.send('pull_request', prPayload({ number: n, sha: sha(n) }));
    const build = buildsOf(m).at(-1) as BuildRow;
    startBuild(m, build.id);
    addStep(m, build.id, { id: '0', name: 'test', result: 'success', log: `testing PR ${n}\n` });
    addJunit(m, build.id, '0', 'junit.xml', junitXml(2));
    const at = Date.now() - daysAgo * DAY;
    m.builds.finish(build.id, 'success', null);
    m.db.prepare('UPDATE builds SET created_at = ?, started_at = ?, finished_at = ? WHERE id = ?').run(at - 60_000, at - 50_000, at, build.id);
    m.bus.emit({ type: 'build', build: m.builds.get(build.id) as BuildRow });
    return build.id;
  }
  const published = (bare: BareRepo, ids: number[]) =>
    waitUntil(() => bare.tip(BRANCH) !== null && ids.every((id) => bare.folders(BRANCH).includes(folderOf(id)) && !bare.show(BRANCH, `${folderOf(id)}/README.md`).includes(': running')), `builds ${ids.join(', ')} on the branch`);
  const count = (m: ReportMaster, table: string, buildId: number) =>
    (m.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${table === 'builds' ? 'id' : 'build_id'} = ?`).get(buildId) as { n: number }).n;

  it('keeps recent folders, drops old ones, in one fresh orphan commit; local files and rows go too', async () => {
    const { bare, m } = await setUp();
    const ids = [await oldBuild(m, 1, 45), await oldBuild(m, 2, 31), await oldBuild(m, 3, 29), await oldBuild(m, 4, 1)];
    await published(bare, ids);
    const before = bare.log(BRANCH).length;
    expect(before).toBeGreaterThan(1);

    const result = await m.reporting.prune();
    expect(result?.branch?.dropped.sort()).toEqual([folderOf(ids[0]!), folderOf(ids[1]!)]);
    expect(bare.folders(BRANCH)).toEqual([folderOf(ids[2]!), folderOf(ids[3]!)]);
    const history = bare.log(BRANCH);
    expect(history).toHaveLength(1);
    expect(history[0]!.parents).toBe(0);
    expect(history[0]!.subject).toMatch(/^Retention: keep builds since .* \(2 kept, 2 dropped\)$/);
    // The old logs are gone from everything reachable, not just from the tip.
    expect(bare.historyContains('testing PR 1')).toBe(false);
    expect(bare.historyContains('testing PR 3')).toBe(true);

    for (const id of ids.slice(0, 2)) {
      expect(existsSync(path.join(m.dataDir, 'logs', String(id))), `logs of build ${id}`).toBe(false);
      expect(existsSync(path.join(m.dataDir, 'artifacts', String(id))), `artifacts of build ${id}`).toBe(false);
      for (const table of ['builds', 'steps', 'artifacts', 'logs_publications']) expect(count(m, table, id), `${table} of build ${id}`).toBe(0);
    }
    for (const id of ids.slice(2)) {
      expect(existsSync(path.join(m.dataDir, 'logs', String(id)))).toBe(true);
      expect(count(m, 'builds', id)).toBe(1);
      expect(count(m, 'steps', id)).toBe(1);
    }
    expect(m.db.prepare('SELECT COUNT(*) AS n FROM build_requests').get()).toEqual({ n: 2 });

    // Publishing goes on, on top of the rewritten branch.
    const next = await oldBuild(m, 5, 0);
    await published(bare, [next]);
    expect(bare.log(BRANCH)).toHaveLength(2);
    expect(bare.folders(BRANCH)).toHaveLength(3);
  });

  it('the newest build of a builder is kept whatever its age, so build numbers never restart', async () => {
    const { bare, m } = await setUp();
    const ids = [await oldBuild(m, 1, 60), await oldBuild(m, 2, 50)];
    await published(bare, ids);
    await m.reporting.prune();
    expect(buildsOf(m).map((b) => b.id)).toEqual([ids[1]]);
    await m.send('pull_request', prPayload({ number: 3, sha: sha(3) }));
    expect(buildsOf(m).at(-1)?.number).toBe(3);
  });

  it('`gatehouse prune` rewrites from its own clone; the master then publishes on the new tip', async () => {
    const { bare, m, config } = await setUp();
    const ids = [await oldBuild(m, 1, 40), await oldBuild(m, 2, 2)];
    await published(bare, ids);
    const loaded = parseConfig({ ...config, github: { repo: 'Codertocat/Hello-World', webhookSecret: { env: 'GH_WEBHOOK_SECRET' } }, builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] }], dataDir: m.dataDir }, 'test', { env: TEST_SECRETS });
    const result = await runPruneCommand(loaded, { logger: silentLogger });
    expect(result?.branchDropped).toEqual([folderOf(ids[0]!)]);
    expect(result?.plan.builds.map((b) => [b.buildId, b.why])).toEqual([[ids[0], 'age']]);
    expect(bare.log(BRANCH)).toHaveLength(1);
    expect(existsSync(path.join(m.dataDir, `logs-repo-prune-${process.pid}`))).toBe(false);

    // The master's clone still has the old history: its push is rejected, it resets and writes again.
    const next = await oldBuild(m, 3, 0);
    await published(bare, [next]);
    expect(bare.folders(BRANCH)).toEqual([folderOf(ids[1]!), folderOf(next)]);
    expect(bare.log(BRANCH)).toHaveLength(2);
    expect(m.logLines.some((l) => l.includes('logs branch moved under us'))).toBe(true);
  });

  // With logs.keepDays, and alone (the branch is then pruned by size only).
  it.each([{ keepDays: 30 }, { keepDays: undefined }])('logs.branchKeepBytes drops the oldest recent folders too, until the branch fits (keepDays $keepDays)', async ({ keepDays }) => {
    const { bare, m, config } = await setUp();
    const ids = [await oldBuild(m, 1, 3), await oldBuild(m, 2, 2), await oldBuild(m, 3, 1)];
    await published(bare, ids);
    // Sizes as the files in a work tree of the branch (the master's own clone is one).
    const sizeOf = (id: number) => bytesUnder(path.join(m.dataDir, 'logs-repo', folderOf(id)));
    const budget = sizeOf(ids[1]!) + sizeOf(ids[2]!);
    const loaded = parseConfig({
      ...config, logs: { ...config.logs, keepDays, branchKeepBytes: budget }, github: { repo: 'Codertocat/Hello-World', webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
      builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'true' }] }], dataDir: m.dataDir,
    }, 'test', { env: TEST_SECRETS });
    // --dry-run names the folder that would go, and the branch stays as it was.
    const tipBefore = bare.tip(BRANCH);
    const dry = await runPruneCommand(loaded, { logger: silentLogger, dryRun: true });
    expect(dry?.branchDropped).toEqual([folderOf(ids[0]!)]);
    expect(bare.tip(BRANCH)).toBe(tipBefore);
    expect(bare.folders(BRANCH)).toEqual(ids.map(folderOf));
    expect(existsSync(path.join(m.dataDir, `logs-repo-prune-${process.pid}`))).toBe(false);

    const result = await runPruneCommand(loaded, { logger: silentLogger });
    expect(result?.branchDropped).toEqual([folderOf(ids[0]!)]);
    expect(bare.folders(BRANCH)).toEqual([folderOf(ids[1]!), folderOf(ids[2]!)]);
    expect(bare.log(BRANCH)[0]!.subject).toMatch(/ and within .* \(2 kept, 1 dropped\)$/);
    expect(bare.historyContains('testing PR 1')).toBe(false);
    // The branch budget is the branch's: the builds' rows and local files stay.
    expect(count(m, 'builds', ids[0]!)).toBe(1);
  });
});
