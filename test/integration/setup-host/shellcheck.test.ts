// Every shell script in the repository passes shellcheck (with sourced files followed, -x).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/run-setup-host.js';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'test-output', '.gatehouse']);

function shellScripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : shellScripts(full);
    return entry.isFile() && entry.name.endsWith('.sh') ? [path.relative(REPO, full)] : [];
  });
}

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!hasShellcheck) console.warn('shellcheck.test.ts: skipped: shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)');

describe.skipIf(!hasShellcheck)('shellcheck', () => {
  const scripts = shellScripts(REPO).sort();

  it('finds the shell scripts', () => {
    expect(scripts).toContain('setup-host.sh');
    expect(scripts).toContain('setup-host/common.sh');
  });

  it.each(scripts)('%s passes shellcheck', (script) => {
    // From the repository root: the `# shellcheck source=` directives are relative to it.
    const result = spawnSync('shellcheck', ['-x', script], { cwd: REPO, encoding: 'utf8' });
    expect(result.stdout + result.stderr, `shellcheck ${script}`).toBe('');
    expect(result.status).toBe(0);
  });
});
