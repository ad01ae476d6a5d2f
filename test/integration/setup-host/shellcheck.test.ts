// Every shell script in the repository passes shellcheck (with sourced files followed, -x): the
// `.sh` files, and files without the extension whose first line is a sh or bash shebang.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirePrerequisite } from '../../support/require-prerequisite.js';
import { REPO } from './support/run-setup-host.js';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'test-output', '.gatehouse']);

function shellScripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : shellScripts(full);
    return entry.isFile() && (entry.name.endsWith('.sh') || hasShellShebang(full)) ? [path.relative(REPO, full)] : [];
  });
}

function hasShellShebang(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(40);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^#!\s*(\/usr\/bin\/env\s+(-S\s+)?)?(\/bin\/|\/usr\/bin\/)?(ba)?sh\b/.test(head.subarray(0, n).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

const hasShellcheck = requirePrerequisite(
  'shellcheck.test.ts',
  spawnSync('shellcheck', ['--version']).status === 0 ? undefined : 'shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)',
);

describe.skipIf(!hasShellcheck)('shellcheck', () => {
  const scripts = shellScripts(REPO).sort();

  it('finds the shell scripts', () => {
    expect(scripts).toContain('setup-host.sh');
    expect(scripts).toContain('setup-host/common.sh');
    expect(scripts).toContain('test/fixtures/docker-ce/build-repo/tools/gotestsum');
  });

  it.each(scripts)('%s passes shellcheck', (script) => {
    // From the repository root: the `# shellcheck source=` directives are relative to it.
    const result = spawnSync('shellcheck', ['-x', script], { cwd: REPO, encoding: 'utf8' });
    expect(result.stdout + result.stderr, `shellcheck ${script}`).toBe('');
    expect(result.status).toBe(0);
  });
});
