// The unit files setup-host.sh renders pass `systemd-analyze verify`: a dry run for this machine
// itself (it changes nothing; SETUP_HOST_STAGE keeps what it rendered), for the default instance,
// a named one, and a port below 1024 (which adds the one capability that binds it). The units
// installed into a real Debian 12 root are verified again in debian-root.test.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requirePrerequisite } from '../../support/require-prerequisite.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_CONFIG, runSetupHost } from './support/run-setup-host.js';

const hasAnalyze = requirePrerequisite(
  'unit-files.test.ts',
  spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0 ? undefined : 'systemd-analyze is not installed (apt-get install systemd; .ci/run installs it)',
);

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('gatehouse-units-');
});
afterEach(() => tmp.remove());

/** Render the units with a dry run on this machine, then verify them (the worker as worker@local). */
async function renderAndVerify(args: string[], prefix: string) {
  const stage = path.join(tmp.path, 'stage');
  const r = await runSetupHost([TEST_CONFIG, '--dry-run', '--allow-host-executor', ...args], { SETUP_HOST_STAGE: stage });
  expect(r.status, r.output).toBe(0);
  const master = path.join(stage, 'units', `${prefix}-master.service`);
  // A template is verified through an instance of it, as systemd would load it.
  const worker = path.join(tmp.path, `${prefix}-worker@local.service`);
  copyFileSync(path.join(stage, 'units', `${prefix}-worker@.service`), worker);
  const verify = spawnSync('systemd-analyze', ['verify', master, worker], { encoding: 'utf8' });
  return { verify, master: readFileSync(master, 'utf8'), worker: readFileSync(worker, 'utf8') };
}

describe.skipIf(!hasAnalyze)('systemd-analyze verify on the rendered units', () => {
  it('the default instance', async () => {
    const { verify, master, worker } = await renderAndVerify([], 'gatehouse');
    expect(verify.stdout + verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    expect(master).toContain('CapabilityBoundingSet=\n');
    expect(worker).toContain('ExecStart=');
  });

  it('a named instance on a port below 1024', async () => {
    const { verify, master } = await renderAndVerify(['--instance', 'staging', '--port', '801'], 'gatehouse-staging');
    expect(verify.stdout + verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    expect(master).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE\n');
    expect(master).toContain('ReadWritePaths=/var/lib/gatehouse-staging\n');
  });
});
