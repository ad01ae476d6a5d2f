// A pre-receive hook for a bare repository that refuses every push, saying why on stderr (as a
// protected branch on GitHub does), until a flag file exists. For tests of refused logs pushes.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HOOK_SAYS = 'GH006: Protected branch update failed for refs/heads/ci-logs.';

export function refuseUntil(bareDir: string, flag: string): void {
  const hook = path.join(bareDir, 'hooks', 'pre-receive');
  const quoted = `'${flag.replaceAll("'", "'\\''")}'`;
  writeFileSync(hook, `#!/bin/sh\ncat >/dev/null\nif [ -e ${quoted} ]; then exit 0; fi\necho '${HOOK_SAYS}' >&2\necho 'Required status check "ci" is expected.' >&2\nexit 1\n`);
  chmodSync(hook, 0o755);
}
