import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { loadConfig, parseConfig } from '../../../shared/config.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { configProblems } from '../../support/config-problems.js';
import { CLI } from '../../support/master-process.js';

const dir = makeTempDir();
afterAll(() => dir.remove());

const problems = configProblems;

describe('config validation', () => {
  it('fills in defaults', () => {
    const { config } = parseConfig(testConfig(), 'cfg', { env: TEST_SECRETS });
    expect(config.http.port).toBe(0);
    expect(config.dataDir).toBe('./.gatehouse');
    const b = config.builders[0];
    expect(b?.triggers.comments).toEqual(['/retest', 'recheck']);
    expect(b?.triggers.skipTitle).toEqual([{ match: '[CI:DOCS]', then: 'skip' }, { match: '[skip ci]', then: 'skip' }]);
    expect(b?.steps[0]?.haltOnFailure).toBe(true);
    expect(b?.timeout).toBe(3 * 3600_000);
    expect(config.github.statusContext).toBe('gatehouse/{builder}');
  });

  it('check runs need a GitHub App; the PR comment names builders that exist', () => {
    const github = testConfig().github;
    expect(problems(testConfig({ github: { ...github, report: 'checks', prComment: { builders: ['unit', 'nope'] } } }))).toEqual([
      'github.report: expected "statuses" without a GitHub App (github.app): check runs need App auth, got "checks"',
      'github.prComment.builders[1]: expected the name of a builder, got "nope"',
    ]);
    expect(problems(testConfig({ github: { ...github, report: 'sometimes' as never } }))[0]).toMatch(/^github\.report: /);
    const withApp = parseConfig(testConfig({ github: { ...github, app: { appId: 1, privateKey: { env: 'GH_APP_KEY' }, installationId: 2 }, report: 'both', prComment: {} } }), 'cfg', { env: { ...TEST_SECRETS, GH_APP_KEY: 'pem' } }).config;
    expect([withApp.github.report, withApp.github.prComment]).toEqual(['both', { whenAllSkipped: false }]);
  });

  it('names the artifact store key that is missing, and a download from a builder that does not exist', () => {
    const input = testConfig({
      artifacts: { store: 's3' },
      builders: [{ name: 'a', steps: [{ name: 'fetch', download: { from: 'nope' } }, { name: 'group', parallel: [{ name: 'p', download: { from: 'a' } }] }] }],
    });
    expect(problems(input)).toEqual([
      'artifacts.s3: expected an s3 section (endpoint, bucket, accessKeyId, secretAccessKey) for store "s3"',
      'builders[0].steps[0].download.from: expected the name of another builder, got "nope"',
      'builders[0].steps[1].parallel[0].download.from: expected the name of another builder, got "a"',
    ]);
    const onGroup = testConfig({ builders: [{ name: 'a', steps: [{ name: 'g', download: { from: 'b' }, parallel: [{ name: 'q', run: 'true' }] }] }, { name: 'b', steps: [{ name: 's', run: 'true' }] }] });
    expect(problems(onGroup)).toEqual(['builders[0].steps[0].download: expected "download" on a step that runs, not on a parallel group (put it on a step before the group)']);
    const { config } = parseConfig(testConfig(), 'cfg', { env: TEST_SECRETS });
    expect(config.artifacts).toEqual({ store: 'directory', maxFileMiB: 4096 });
    expect(problems(testConfig({ artifacts: { maxFileMiB: 0 } }))).toEqual(['artifacts.maxFileMiB: expected a number >= 1, got 0']);
  });

  it('names the key and the expected value for a bad duration', () => {
    const input = testConfig({
      builders: [
        { name: 'a', steps: [{ name: 's', run: 'true' }] },
        { name: 'b', steps: [{ name: 's', run: 'true', timeout: 'soon' }] },
      ],
    });
    expect(problems(input)).toEqual(['builders[1].steps[0].timeout: expected a duration like "90m", got "soon"']);
  });

  it('reads storage sizes, and names the key for a bad one', () => {
    expect(parseConfig(testConfig(), 'test', { env: TEST_SECRETS }).config.storage).toEqual({ warnAbovePercent: 90 });
    expect(parseConfig(testConfig({ storage: { keepBytes: '20GiB', warnAbovePercent: 80 } }), 'test', { env: TEST_SECRETS }).config.storage).toEqual({ keepBytes: 20 * 1024 ** 3, warnAbovePercent: 80 });
    expect(problems(testConfig({ storage: { keepBytes: 'lots' } }))).toEqual(['storage.keepBytes: expected a size like "20GiB", got "lots"']);
  });

  it('names a missing environment variable for a secret', () => {
    const { GH_WEBHOOK_SECRET: _, ...env } = TEST_SECRETS;
    expect(problems(testConfig(), env)).toEqual(['github.webhookSecret: environment variable GH_WEBHOOK_SECRET is not set']);
  });

  it('refuses a literal secret', () => {
    const input = { ...testConfig(), github: { repo: 'a/b', webhookSecret: 'hunter2' } };
    const found = problems(input);
    expect(found).toEqual([`github.webhookSecret: expected a secret reference such as { env: 'GH_TOKEN' } (secrets are never written in the config), got a string`]);
    // The literal may be the secret itself: it is not repeated in the error.
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('suggests the key an unknown one was probably meant to be', () => {
    const input = { ...testConfig(), htpt: {}, github: { ...testConfig().github, webhookSecet: { env: 'X' } }, builders: [{ name: 'x', steps: [{ name: 's', run: 'true', timeuot: '1m' }] }] };
    const found = problems(input);
    expect(found).toContain('(top level): unknown key "htpt" (did you mean "http"?)');
    expect(found).toContain('github: unknown key "webhookSecet" (did you mean "webhookSecret"?)');
    expect(found).toContain('builders[0].steps[0]: unknown key "timeuot" (did you mean "timeout"?)');
    // Nothing close: no guess.
    expect(problems({ ...testConfig(), zebra: 1 })).toContain('(top level): unknown key "zebra"');
  });

  it('reports schema problems and missing environment variables in one pass', () => {
    const { GH_WEBHOOK_SECRET: _, ...env } = TEST_SECRETS;
    const found = problems({ ...testConfig(), dataDir: 42 }, env);
    expect(found).toEqual(['dataDir: expected string, got number 42', 'github.webhookSecret: environment variable GH_WEBHOOK_SECRET is not set']);
  });

  it('reports every problem at once, with paths', () => {
    const input = {
      ...testConfig(),
      http: { port: 'eighty' },
      builders: [{ name: 'x', vm: { image: 'nope' }, steps: [{ name: 'empty' }], tirggers: {} }],
    };
    const found = problems(input);
    expect(found).toContain('http.port: expected number, got string "eighty"');
    expect(found).toContain('builders[0]: unknown key "tirggers" (did you mean "triggers"?)');
    expect(found).toContain('builders[0].steps[0]: expected one of "run", "upload", "download" or "parallel"');
  });

  it('checks builder references to images and duplicate names', () => {
    const input = testConfig({
      builders: [
        { name: 'x', vm: { image: 'missing' }, steps: [{ name: 's', run: 'true' }] },
        { name: 'x', steps: [{ name: 's', run: 'true' }] },
      ],
    });
    const found = problems(input);
    expect(found).toContain('builders[0].vm.image: expected one of the images (none defined), got "missing"');
    expect(found).toContain('builders[1].name: duplicate builder name "x" (also builders[0])');
  });

  it('resolves only its own secret for a worker', () => {
    const { config } = parseConfig(testConfig(), 'cfg', { env: { WORKER_SECRET: 'w' }, forWorker: 'w1' });
    expect(config.workers[0]?.secret).toBe('w');
    expect(() => parseConfig(testConfig(), 'cfg', { env: {}, forWorker: 'nobody' })).toThrow(/no worker named "nobody"/);
  });

  it('loads .ts, .mjs and .json files, applies overrides, and resolves dataDir against the file', async () => {
    const body = JSON.stringify(testConfig());
    writeFileSync(path.join(dir.path, 'a.json'), body);
    writeFileSync(path.join(dir.path, 'b.mjs'), `import { defineConfig } from 'gatehouse';\nexport default defineConfig(${body});\n`);
    writeFileSync(path.join(dir.path, 'c.ts'), `import { defineConfig, type ConfigInput } from 'gatehouse';\nconst c: ConfigInput = ${body};\nexport default defineConfig(c);\n`);
    for (const file of ['a.json', 'b.mjs', 'c.ts']) {
      const { config } = await loadConfig(path.join(dir.path, file), { env: TEST_SECRETS, overrides: { port: 9999 } });
      expect(config.http.port).toBe(9999);
      expect(config.dataDir).toBe(path.join(dir.path, '.gatehouse'));
    }
  });

  it('says a config file is missing, and where a JSON file breaks', async () => {
    await expect(loadConfig(path.join(dir.path, 'nope.json'), { env: TEST_SECRETS })).rejects.toThrow(/nope\.json: 1 problem\n {2}- no such file/);
    writeFileSync(path.join(dir.path, 'broken.json'), '{\n  "title": "x",\n}\n');
    await expect(loadConfig(path.join(dir.path, 'broken.json'), { env: TEST_SECRETS })).rejects.toThrow(/not valid JSON at line 3, column 1: /);
  });

  it('names a file without a default export', async () => {
    writeFileSync(path.join(dir.path, 'd.mjs'), 'export const config = {};\n');
    await expect(loadConfig(path.join(dir.path, 'd.mjs'), { env: TEST_SECRETS })).rejects.toThrow(/expected a default export/);
  });
});

describe('gatehouse check-config', () => {
  const run = promisify(execFile);
  it('prints OK and exits 0 for a good file', async () => {
    const file = path.join(dir.path, 'good.json');
    writeFileSync(file, JSON.stringify(testConfig()));
    const { stdout } = await run(process.execPath, [CLI, 'check-config', file], { env: { ...process.env, ...TEST_SECRETS } });
    expect(stdout).toContain('OK');
    expect(stdout).toContain('builder unit: host');
  });

  it('a master whose port is taken says which port, and how to choose another, without a stack trace', async () => {
    const file = path.join(dir.path, 'port.json');
    writeFileSync(file, JSON.stringify({ ...testConfig(), dataDir: path.join(dir.path, 'port-data') }));
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const result = await run(process.execPath, [CLI, 'master', '--config', file, '--port', String(port)], { env: { ...process.env, ...TEST_SECRETS } }).catch((e: { code: number; stderr: string }) => e);
      expect((result as { code: number }).code).toBe(1);
      const stderr = (result as { stderr: string }).stderr;
      expect(stderr).toContain(`gatehouse: port ${port} is already in use`);
      expect(stderr).toContain('--port');
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('prints each problem and exits non-zero for a bad one', async () => {
    const file = path.join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...testConfig(), dataDir: 42 }));
    const result = await run(process.execPath, [CLI, 'check-config', file], { env: { ...process.env, ...TEST_SECRETS } }).catch((e: { code: number; stderr: string }) => e);
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stderr: string }).stderr).toContain('dataDir: expected string, got number 42');
  });
});
