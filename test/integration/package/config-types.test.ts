// A user's strict gatehouse.config.ts type-checks against the package as installed: the built
// package is linked into a temp project's node_modules and checked with the repo's tsc. Needs
// `npm run build` (it reads dist/).
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/master-process.js';
import { makeTempDir } from '../../support/temp-dir.js';

const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

const CONFIG = (extra: string) => `import { defineConfig } from 'gatehouse';

export default defineConfig({
  http: { port: 8010, adminToken: { env: 'ADMIN_TOKEN' } },
  github: { repo: 'octo/hello', webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
  workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 2 }],
  builders: [{ name: 'unit', executor: 'host', steps: [{ name: 'test', run: 'npm test', timeout: '20m' }] }],${extra}
});
`;

let project: { path: string; remove(): void };

/** Runs tsc on the temp project; resolves with its exit code and output. */
async function typecheck(config: string): Promise<{ code: number; output: string }> {
  writeFileSync(path.join(project.path, 'gatehouse.config.ts'), config);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', project.path]);
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, output: e.stdout };
  }
}

describe('the published types', () => {
  beforeAll(() => {
    project = makeTempDir('gatehouse-types-');
    mkdirSync(path.join(project.path, 'node_modules'));
    symlinkSync(ROOT, path.join(project.path, 'node_modules/gatehouse'), 'dir');
    writeFileSync(path.join(project.path, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [], skipLibCheck: false },
      files: ['gatehouse.config.ts'],
    }));
  });
  afterAll(() => project?.remove());

  it('accept a valid config under strict settings', async () => {
    const { code, output } = await typecheck(CONFIG(''));
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('name the key of a wrong config', async () => {
    const { code, output } = await typecheck(CONFIG("\n  bulders: [],"));
    expect(code).not.toBe(0);
    expect(output).toMatch(/gatehouse\.config\.ts.*'bulders' does not exist/);
  });
}, 60_000);
