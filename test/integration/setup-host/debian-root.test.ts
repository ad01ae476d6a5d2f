// The real run: setup-host.sh --no-start inside a fresh Debian 12 root (debootstrap, chroot), with
// no network. It installs the packages (from the .deb files the cached root holds), the user, the
// app, the config and the units; systemd-analyze accepts the units; the master, started from
// /opt/gatehouse as its unit says (user, environment file, command line), answers /healthz; a
// second run changes nothing and says so; a changed config is installed and names the services it
// affects; a second instance installs beside the first; --uninstall keeps the data, --purge not.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CONFIG } from './support/run-setup-host.js';
import { requirePrerequisite } from '../../support/require-prerequisite.js';
import { killAll, processesInside } from './support/processes-inside.js';
import { SRC_IN_ROOT, freshDebianRoot, readEnvFile, readUnit, runInRoot, startInRoot, whyNoDebianRoot, type DebianRoot } from './support/debian-root.js';

const canRun = requirePrerequisite('debian-root.test.ts', whyNoDebianRoot());

const CONFIG_IN_ROOT = `${SRC_IN_ROOT}/test/integration/setup-host/fixtures/gatehouse.config.mjs`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; !check(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
  }
}

async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    console.log(`debian-root: ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

describe.skipIf(!canRun)('setup-host.sh in a fresh Debian 12 root', () => {
  let root: DebianRoot;
  let port: number;
  const at = (p: string) => path.join(root.dir, p);
  const setupHost = (args: string[]) => runInRoot(root, [`${SRC_IN_ROOT}/setup-host.sh`, ...args], { offline: true });

  beforeAll(async () => {
    root = await timed('copy the cached root', () => freshDebianRoot());
    port = await freePort();
  }, 120_000);
  afterAll(async () => {
    if (!root) return;
    // Nothing started in the root may outlive the suite (a master once kept running in the deleted root).
    const deadline = Date.now() + 5000;
    let left = processesInside(root.dir);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesInside(root.dir);
    }
    killAll(left);
    await timed('remove the root', () => root.remove());
    expect(left.map((p) => `${p.pid} root=${p.root} cwd=${p.cwd}`)).toEqual([]);
  }, 120_000);

  it('a command started in the root as another user ends when its unshare is killed', async () => {
    // chroot --userspec drops the parent-death signal; the namespace's PID 1 must not be that command.
    const sleeper = startInRoot(root, ['sleep', '1000'], { user: 'nobody:nogroup' });
    await waitFor(() => processesInside(root.dir).some((p) => readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') === 'sleep\u00001000\u0000'), 'the sleep to run in the root');
    sleeper.kill('SIGKILL');
    await waitFor(() => processesInside(root.dir).length === 0, 'nothing left in the root');
  });

  it('installs packages, user, app, config and units with --no-start and no network', async () => {
    const r = await timed('first run', () => setupHost([CONFIG_IN_ROOT, '--no-start', '--offline', '--allow-host-executor', '--port', String(port)]));
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('gatehouse instance "default" on Debian GNU/Linux 12 (bookworm)');
    expect(r.stdout).toContain('node: /usr/local/bin/node (v');
    expect(r.stdout).toMatch(/^ {2}- installed packages: git ca-certificates libvirt-daemon-system libvirt-clients qemu-utils debootstrap qemu-system-ppc qemu-system-x86$/m);
    expect(r.stdout).toContain('not starting anything (--no-start)');
    // Packages really installed, by apt, in the root.
    for (const tool of ['usr/bin/git', 'usr/sbin/libvirtd', 'usr/bin/virsh', 'usr/bin/qemu-img', 'usr/bin/qemu-system-ppc64', 'usr/bin/qemu-system-x86_64', 'usr/sbin/debootstrap']) {
      expect(existsSync(at(tool)), tool).toBe(true);
    }
    // The user, in the libvirt, kvm and libvirt-qemu groups.
    expect(readFileSync(at('etc/passwd'), 'utf8')).toMatch(/^gatehouse:x:\d+:\d+:gatehouse CI:\/var\/lib\/gatehouse:\/usr\/sbin\/nologin$/m);
    const group = readFileSync(at('etc/group'), 'utf8');
    expect(group).toMatch(/^libvirt:x:\d+:.*\bgatehouse\b/m);
    expect(group).toMatch(/^kvm:x:\d+:.*\bgatehouse\b/m);
    expect(group).toMatch(/^libvirt-qemu:x:\d+:.*\bgatehouse\b/m); // the restore agent's socket is QEMU's
    // The app: built tree plus production dependencies only.
    expect(existsSync(at('opt/gatehouse/dist/cli/main.js'))).toBe(true);
    expect(existsSync(at('opt/gatehouse/dist/ui/index.html'))).toBe(true);
    expect(existsSync(at('opt/gatehouse/node_modules/better-sqlite3'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'vite', 'playwright-core']) expect(existsSync(at(`opt/gatehouse/node_modules/${dev}`)), dev).toBe(false);
    // Config, secrets (0600) and data.
    expect(statSync(at('etc/gatehouse/secrets.env')).mode & 0o777).toBe(0o600);
    expect(statSync(at('etc/gatehouse')).mode & 0o777).toBe(0o750);
    expect(statSync(at('var/lib/gatehouse')).mode & 0o777).toBe(0o751);
    expect(readFileSync(at('etc/gatehouse/site/hello.sh'), 'utf8')).toContain('hello from');
    expect(readFileSync(at('etc/gatehouse/gatehouse.mjs'), 'utf8')).toContain(`port: ${port}`);
    // Units written and enabled (systemctl enable works in a chroot; nothing is started there).
    expect(existsSync(at('etc/systemd/system/gatehouse-master.service'))).toBe(true);
    expect(existsSync(at('etc/systemd/system/gatehouse-worker@.service'))).toBe(true);
    expect(readdirSync(at('etc/systemd/system/multi-user.target.wants'))).toEqual(expect.arrayContaining(['gatehouse-master.service', 'gatehouse-worker@local.service']));
    expect(existsSync(at('etc/systemd/system/sockets.target.wants/libvirtd.socket'))).toBe(true);
  }, 300_000);

  it('systemd-analyze verify accepts the installed units', async (ctx) => {
    const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;
    if (!requirePrerequisite('debian-root.test.ts, systemd-analyze verify', hasAnalyze ? undefined : 'systemd-analyze is not installed (apt-get install systemd; .ci/run installs it)')) return ctx.skip();
    // --root: unit paths, executables (/usr/local/bin/node) and users are those of the root.
    const r = await timed('systemd-analyze verify', () =>
      spawnSync('systemd-analyze', ['verify', `--root=${root.dir}`, 'gatehouse-master.service', 'gatehouse-worker@local.service'], { encoding: 'utf8' }),
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the installed master, started as its unit says, answers /healthz', async () => {
    const unit = readUnit(readFileSync(at('etc/systemd/system/gatehouse-master.service'), 'utf8'));
    expect(unit.execStart.slice(0, 6)).toEqual(['/usr/local/bin/node', '--max-semi-space-size=1', '--v8-pool-size=1', '--expose-gc', '/opt/gatehouse/bin/gatehouse.js', 'master']);
    const secrets = readEnvFile(readFileSync(at(unit.environmentFile.slice(1)), 'utf8'));
    expect(Object.keys(secrets).sort()).toEqual(['GATEHOUSE_ADMIN_TOKEN', 'GATEHOUSE_WEBHOOK_SECRET', 'GATEHOUSE_WORKER_SECRET']);
    const started = Date.now();
    const master: ChildProcess = startInRoot(root, unit.execStart, {
      user: `${unit.user}:${unit.group}`,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...unit.environment, ...secrets },
      cwd: unit.workingDirectory,
    });
    let output = '';
    master.stdout?.on('data', (d) => (output += d));
    master.stderr?.on('data', (d) => (output += d));
    try {
      let status = 0;
      while (Date.now() - started < 30_000 && master.exitCode === null) {
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then((res) => res.status, () => 0);
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status, output).toBe(200);
      console.log(`debian-root: master up and healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // It runs as the gatehouse user and keeps its data in /var/lib/gatehouse.
      const db = readdirSync(at('var/lib/gatehouse'));
      expect(db.length, `data dir: ${db.join(', ')}`).toBeGreaterThan(0);
      const uid = Number(readFileSync(at('etc/passwd'), 'utf8').match(/^gatehouse:x:(\d+):/m)?.[1]);
      for (const f of db) expect(statSync(at(`var/lib/gatehouse/${f}`)).uid, f).toBe(uid);
    } finally {
      master.kill('SIGKILL');
      await new Promise((r) => (master.exitCode === null ? master.once('exit', r) : r(undefined)));
    }
  }, 60_000);

  it('a second run changes nothing and says so', async () => {
    const r = await timed('second run', () => setupHost([CONFIG_IN_ROOT, '--no-start', '--offline', '--allow-host-executor', '--port', String(port)]));
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('packages: all present');
    expect(r.stdout).toContain('app: /opt/gatehouse is up to date');
    expect(r.stdout).toContain('No changes: gatehouse instance "default" is already installed as configured.');
    expect(r.stdout).not.toContain('==>');
  }, 120_000);

  it('a changed config is installed and names the services it affects; the secrets are kept', async () => {
    const before = readFileSync(at('etc/gatehouse/secrets.env'), 'utf8');
    const changed = '/root/changed.config.mjs';
    writeFileSync(at(changed.slice(1)), readFileSync(TEST_CONFIG, 'utf8').replace("title: 'setup-host test'", "title: 'setup-host test, changed'"));
    writeFileSync(at('root/hello.sh'), 'echo changed\n');
    const r = await timed('run with a changed config', () => setupHost([changed, '--no-start', '--offline', '--allow-host-executor', '--port', String(port)]));
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('new /etc/gatehouse/site/changed.config.mjs');
    expect(r.stdout).toContain('changed /etc/gatehouse/site/hello.sh');
    expect(r.stdout).toContain('removed /etc/gatehouse/site/gatehouse.config.mjs');
    expect(r.stdout).toContain('changed /etc/gatehouse/gatehouse.mjs');
    expect(r.stdout).toContain('what changed affects: gatehouse-master.service gatehouse-worker@local.service');
    expect(r.stdout).not.toContain('installed the app');
    expect(r.stdout).not.toContain('installed packages');
    expect(readFileSync(at('etc/gatehouse/secrets.env'), 'utf8')).toBe(before);
  }, 120_000);

  it('--instance staging installs a second, independent instance beside the first', async () => {
    const r = await timed('staging instance', () => setupHost([CONFIG_IN_ROOT, '--no-start', '--offline', '--allow-host-executor', '--instance', 'staging', '--port', String(port + 1)]));
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain(`instance: port ${port + 1}, status context "staging/3rdparty/{builder}"`);
    expect(existsSync(at('opt/gatehouse-staging/dist/cli/main.js'))).toBe(true);
    expect(readFileSync(at('etc/systemd/system/gatehouse-staging-worker@.service'), 'utf8')).toContain(`--master ws://127.0.0.1:${port + 1}`);
    expect(readFileSync(at('etc/gatehouse-staging/gatehouse.mjs'), 'utf8')).toContain("dataDir: '/var/lib/gatehouse-staging'");
    expect(readdirSync(at('etc/systemd/system/multi-user.target.wants'))).toEqual(
      expect.arrayContaining(['gatehouse-master.service', 'gatehouse-worker@local.service', 'gatehouse-staging-master.service', 'gatehouse-staging-worker@local.service']),
    );
    // The same port as the other instance is refused.
    const clash = await setupHost([CONFIG_IN_ROOT, '--no-start', '--offline', '--allow-host-executor', '--instance', 'other', '--port', String(port)]);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toContain(`port ${port} is used by the instance in /etc/gatehouse`);
  }, 120_000);

  it('--uninstall removes units and app and keeps the data; --purge removes it too', async () => {
    const staging = await setupHost(['--uninstall', '--purge', '--instance', 'staging']);
    expect(staging.status, staging.output).toBe(0);
    expect(existsSync(at('opt/gatehouse-staging'))).toBe(false);
    expect(existsSync(at('var/lib/gatehouse-staging'))).toBe(false);
    expect(existsSync(at('etc/gatehouse-staging'))).toBe(false);
    expect(existsSync(at('etc/systemd/system/multi-user.target.wants/gatehouse-staging-master.service'))).toBe(false);
    // The default instance is untouched, and its user stays.
    expect(existsSync(at('opt/gatehouse/dist/cli/main.js'))).toBe(true);
    const r = await setupHost(['--uninstall']);
    expect(r.status, r.output).toBe(0);
    expect(existsSync(at('opt/gatehouse'))).toBe(false);
    expect(existsSync(at('etc/systemd/system/gatehouse-master.service'))).toBe(false);
    expect(existsSync(at('etc/systemd/system/multi-user.target.wants/gatehouse-worker@local.service'))).toBe(false);
    expect(existsSync(at('var/lib/gatehouse'))).toBe(true);
    expect(existsSync(at('etc/gatehouse/secrets.env'))).toBe(true);
    expect(r.stdout).toContain('kept /etc/gatehouse (config, secrets) and /var/lib/gatehouse (database, logs)');
    expect(readFileSync(at('etc/passwd'), 'utf8')).toMatch(/^gatehouse:/m);
  }, 60_000);
});
