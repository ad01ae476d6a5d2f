// Retention by size (storage.keepBytes) with real files in a data directory and a real SQLite file:
// the oldest finished builds go until the builds' logs and artifacts fit; a running build, the
// newest of a builder and a build a queued build still downloads from stay. `gatehouse prune
// --dry-run` (in-process and as a process from dist/) lists them and removes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { CLI } from '../../support/master-process.js';
import { parseConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/logger.js';
import { openDatabase, type Db } from '../../../master/store/open-database.js';
import { createStores } from '../../../master/store/stores.js';
import { runPruneCommand } from '../../../master/retention/prune-command.js';

const DAY = 86_400_000;
const sha = (c: string) => c.repeat(40);

describe('retention by size', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });

  const config = (dataDir: string) =>
    testConfig({
      dataDir,
      storage: { keepBytes: '4000B' },
      builders: [
        { name: 'build', executor: 'host', steps: [{ name: 'compile', run: 'make' }] },
        { name: 'lint', executor: 'host', steps: [{ name: 'lint', run: 'make lint' }] },
        { name: 'test', executor: 'host', steps: [{ name: 'fetch', download: { from: 'build', paths: 'out/**' } }, { name: 'test', run: 'make test' }] },
      ],
    });

  /** Builds with files (logs and artifacts, 1000 bytes unless said) in a fresh data directory. */
  function seed() {
    const dir = makeTempDir('gatehouse-size-retention-');
    cleanup.push(() => dir.remove());
    const dataDir = path.join(dir.path, 'data');
    mkdirSync(dataDir);
    const db: Db = openDatabase(path.join(dataDir, 'gatehouse.sqlite'));
    cleanup.push(() => db.close());
    let clock = Date.now() - 20 * DAY;
    const stores = createStores(db, () => clock);
    const files = (id: number, logBytes: number, artifactBytes: number) => {
      mkdirSync(path.join(dataDir, 'logs', String(id)), { recursive: true });
      writeFileSync(path.join(dataDir, 'logs', String(id), '00-compile.log'), 'l'.repeat(logBytes));
      mkdirSync(path.join(dataDir, 'artifacts', String(id), 'out'), { recursive: true });
      writeFileSync(path.join(dataDir, 'artifacts', String(id), 'out', 'app.bin'), 'a'.repeat(artifactBytes));
    };
    const make = (builder: string, commit: string, daysAgo: number, end: 'finished' | 'running' | 'queued', bytes = 1000) => {
      clock = Date.now() - daysAgo * DAY;
      const { id } = stores.builds.create({ changeId: null, builder, reason: 'test', repo: 'o/r', pr: null, sha: sha(commit), ref: null, cloneUrl: null, initial: { state: 'queued' } });
      if (end === 'finished') stores.builds.finish(id, 'success', null);
      if (end === 'running') db.prepare(`UPDATE builds SET state = 'running', started_at = ? WHERE id = ?`).run(clock, id);
      if (bytes > 0) files(id, 100, bytes - 100);
      return id;
    };
    const ids = {
      oldest: make('build', 'a', 10, 'finished', 1100),
      needed: make('build', 'b', 9, 'finished'), // the queued test build of commit b downloads from it
      lintOld: make('lint', 'c', 8, 'finished'),
      lintOlder: make('lint', 'd', 7, 'finished'),
      lintRunning: make('lint', 'e', 6, 'running'),
      buildNewest: make('build', 'f', 1, 'finished'),
      testQueued: make('test', 'b', 0, 'queued', 0),
    };
    return { dataDir, db, ids };
  }

  const rowsOf = (db: Db, id: number) => (db.prepare('SELECT COUNT(*) AS n FROM builds WHERE id = ?').get(id) as { n: number }).n;
  const filesOf = (dataDir: string, id: number) => existsSync(path.join(dataDir, 'logs', String(id))) && existsSync(path.join(dataDir, 'artifacts', String(id), 'out', 'app.bin'));

  it('takes the oldest finished builds until under the budget; keeps running, newest and still-needed ones', async () => {
    const { dataDir, db, ids } = seed();
    const loaded = parseConfig(config(dataDir), 'test', { env: TEST_SECRETS });
    const result = await runPruneCommand(loaded, { logger: silentLogger });
    // 6100 bytes: the oldest (1100) and the next one that may go (1000) leave 4000.
    expect(result?.plan.builds.map((b) => [b.buildId, b.why, b.bytes])).toEqual([[ids.oldest, 'size', 1100], [ids.lintOld, 'size', 1000]]);
    expect(result?.plan.bytesBefore).toBe(6100);
    expect(result?.plan.bytesAfter).toBe(4000);
    for (const id of [ids.oldest, ids.lintOld]) {
      expect(rowsOf(db, id), `row of build ${id}`).toBe(0);
      expect(existsSync(path.join(dataDir, 'logs', String(id))), `logs of build ${id}`).toBe(false);
      expect(existsSync(path.join(dataDir, 'artifacts', String(id))), `artifacts of build ${id}`).toBe(false);
    }
    for (const id of [ids.needed, ids.lintOlder, ids.lintRunning, ids.buildNewest]) {
      expect(rowsOf(db, id), `row of build ${id}`).toBe(1);
      expect(filesOf(dataDir, id), `files of build ${id}`).toBe(true);
    }
    // Under budget now: a second run takes nothing.
    expect((await runPruneCommand(loaded, { logger: silentLogger }))?.plan.builds).toEqual([]);
  });

  it('--dry-run lists the same builds and removes no file and no row', async () => {
    const { dataDir, db, ids } = seed();
    const loaded = parseConfig(config(dataDir), 'test', { env: TEST_SECRETS });
    const result = await runPruneCommand(loaded, { logger: silentLogger, dryRun: true });
    expect(result?.plan.builds.map((b) => b.buildId)).toEqual([ids.oldest, ids.lintOld]);
    for (const id of [ids.oldest, ids.needed, ids.lintOld, ids.lintOlder, ids.lintRunning, ids.buildNewest]) {
      expect(rowsOf(db, id), `row of build ${id}`).toBe(1);
      expect(filesOf(dataDir, id), `files of build ${id}`).toBe(true);
    }
  });

  it('`gatehouse prune` from dist: --dry-run prints build, size and why and the total; then a real run prunes', async () => {
    const { dataDir, db, ids } = seed();
    const file = path.join(path.dirname(dataDir), 'gatehouse.config.json');
    writeFileSync(file, JSON.stringify(config(dataDir)));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, 'prune', '--config', file, ...args], { env: { ...process.env, ...TEST_SECRETS, GATEHOUSE_LOG_LEVEL: 'error' } }, (error, stdout, stderr) => {
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });

    const dry = await run(['--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const lines = dry.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^build ${ids.oldest} \\(build, finished .*\\): 1\\.1 KiB, over storage\\.keepBytes \\(3\\.9 KiB\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^build ${ids.lintOld} \\(lint, finished .*\\): 1000 B, over storage\\.keepBytes`));
    expect(lines[2]).toBe('would remove 2 build(s), 2.1 KiB; logs and artifacts in the data directory: 6.0 KiB -> 3.9 KiB');
    expect(lines).toHaveLength(3);
    expect(rowsOf(db, ids.oldest)).toBe(1);
    expect(filesOf(dataDir, ids.oldest)).toBe(true);

    const real = await run([]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('removed 2 build(s)');
    expect(rowsOf(db, ids.oldest)).toBe(0);
    expect(existsSync(path.join(dataDir, 'artifacts', String(ids.oldest)))).toBe(false);
    expect(filesOf(dataDir, ids.needed)).toBe(true);
  });
});
