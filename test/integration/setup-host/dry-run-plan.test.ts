// setup-host.sh --dry-run prints the plan for the OS it finds and changes nothing. The OS comes
// from a fake root (SETUP_HOST_ROOT) holding only an os-release file, so each distribution's plan
// is checked here on any machine, without root.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/temp-dir.js';
import { REPO, TEST_CONFIG, fakeRoot, runSetupHost, type OsName } from './support/run-setup-host.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('gatehouse-setup-host-');
});
afterEach(() => tmp.remove());

/** Every file under dir, relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

async function dryRun(os: OsName, args: string[] = [], env: Record<string, string> = {}) {
  const root = fakeRoot(path.join(tmp.path, 'root'), os);
  const stage = path.join(tmp.path, 'stage');
  const result = await runSetupHost([TEST_CONFIG, '--dry-run', '--allow-host-executor', ...args], { SETUP_HOST_ROOT: root, SETUP_HOST_STAGE: stage, SETUP_HOST_ARCH: 'x86_64', ...env });
  return { ...result, root, stage };
}

/** The packages of the "packages to install:" line. */
function packages(stdout: string): string[] {
  return stdout.match(/^packages to install: (.*)$/m)?.[1]?.split(' ') ?? [];
}

describe('setup-host.sh --dry-run', () => {
  it('CentOS Stream 9: the plan names the packages, the user, the paths and the units, and changes nothing', async () => {
    const r = await dryRun('centos-stream-9');
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('gatehouse instance "default" on CentOS Stream 9 (x86_64)');
    // Packages: EL 9's default Node.js stream is too old, so a module stream is enabled first.
    expect(r.stdout).toContain('dnf -y module enable nodejs:22');
    expect(r.stdout).toContain('dnf -y install nodejs npm');
    expect(packages(r.stdout)).toEqual(['git', 'ca-certificates', 'libvirt-daemon-kvm', 'libvirt-client', 'qemu-img', 'guestfs-tools', 'qemu-kvm']);
    expect(r.stdout).toMatch(/dnf -y install git ca-certificates libvirt-daemon-kvm libvirt-client qemu-img guestfs-tools qemu-kvm$/m);
    // EL ships no ppc64le emulator for an x86_64 host: said, not hidden.
    expect(r.stderr).toContain('CentOS Stream 9 packages no qemu for ppc64le guests on a x86_64 host');
    // Virtualization: nothing in the fake root, so TCG with a warning.
    expect(r.stderr).toContain('no usable KVM: VMs run under TCG');
    // The user, in the libvirt, kvm and QEMU groups.
    expect(r.stdout).toContain('useradd --system --user-group --home-dir /var/lib/gatehouse --no-create-home --shell /usr/sbin/nologin');
    expect(r.stdout).toContain('add gatehouse to group libvirt');
    expect(r.stdout).toContain('add gatehouse to group kvm');
    expect(r.stdout).toContain('add gatehouse to group qemu'); // QEMU's group on EL: the restore agent's socket
    // Paths, with modes and owners.
    expect(r.stdout).toContain('paths: app /opt/gatehouse, config /etc/gatehouse, data /var/lib/gatehouse');
    expect(r.stdout).toContain('install the app into /opt/gatehouse');
    expect(r.stdout).toContain('would: create /etc/gatehouse (config, 0750 root:gatehouse)');
    expect(r.stdout).toContain('would: create /var/lib/gatehouse (data, 0751 gatehouse:gatehouse)');
    expect(r.stdout).toMatch(/new +\/etc\/gatehouse\/site\/gatehouse\.config\.mjs \(0640 root:gatehouse\)/);
    expect(r.stdout).toMatch(/new +\/etc\/gatehouse\/site\/hello\.sh \(0750 root:gatehouse\)/);
    expect(r.stdout).toMatch(/new +\/etc\/gatehouse\/gatehouse\.mjs \(0640 root:gatehouse\)/);
    expect(r.stdout).toMatch(/new +\/etc\/gatehouse\/secrets\.env \(0600 root:root\)/);
    // Units: the master, one worker per configured worker, libvirt's modular daemon.
    expect(r.stdout).toMatch(/new +\/etc\/systemd\/system\/gatehouse-master\.service \(0644 root:root\)/);
    expect(r.stdout).toMatch(/new +\/etc\/systemd\/system\/gatehouse-worker@\.service \(0644 root:root\)/);
    for (const unit of ['virtqemud.socket', 'gatehouse-master.service', 'gatehouse-worker@local.service']) {
      expect(r.stdout).toContain(`would: enable ${unit}`);
      expect(r.stdout).toContain(`would: start ${unit}`);
    }
    expect(r.stdout).toContain('journalctl -u gatehouse-master.service');
    expect(r.stdout).toContain('dry run: nothing was changed');
    // Nothing was written into the root.
    expect(filesUnder(r.root)).toEqual(['etc/os-release']);
    // The rendered files (kept in SETUP_HOST_STAGE for tests) are what the plan describes.
    const master = readFileSync(path.join(r.stage, 'units/gatehouse-master.service'), 'utf8');
    for (const line of ['User=gatehouse', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/gatehouse', 'PrivateTmp=yes', 'StandardOutput=journal', 'EnvironmentFile=/etc/gatehouse/secrets.env']) {
      expect(master).toContain(`${line}\n`);
    }
    expect(master).toContain('ExecStart=/usr/bin/node --max-semi-space-size=1 --v8-pool-size=1 --expose-gc /opt/gatehouse/bin/gatehouse.js master --config /etc/gatehouse/gatehouse.mjs\n');
    const worker = readFileSync(path.join(r.stage, 'units/gatehouse-worker@.service'), 'utf8');
    expect(worker).toContain('--name %i --master ws://127.0.0.1:18010\n');
    expect(worker).toContain('UMask=0022\n');
    // No usable KVM in the fake root: the config the services load says TCG.
    expect(readFileSync(path.join(r.stage, 'etc/gatehouse.mjs'), 'utf8')).toContain("vm: { ...site.vm, domainType: 'qemu' },");
    expect(statSync(path.join(r.stage, 'etc/secrets.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(r.stage, 'etc/secrets.env'), 'utf8')).toMatch(/^GATEHOUSE_WEBHOOK_SECRET="[0-9a-f]{64}"$/m);
  });

  it('CentOS Stream 9 on ppc64le: qemu-kvm, and kvm_hv is what it looks for', async () => {
    const r = await dryRun('centos-stream-9', [], { SETUP_HOST_ARCH: 'ppc64le' });
    expect(r.status, r.output).toBe(0);
    expect(packages(r.stdout)).toContain('qemu-kvm');
    expect(r.stderr).not.toContain('packages no qemu');
    expect(r.stdout).toContain('virtualization (ppc64le): kvm_hv not loaded');
  });

  it('CentOS Stream 10 and Fedora: Node.js from the distribution; Fedora also emulates ppc64le', async () => {
    const c10 = await dryRun('centos-stream-10');
    expect(c10.status, c10.output).toBe(0);
    expect(c10.stdout).not.toContain('module enable');
    expect(c10.stdout).toContain('install Node.js from CentOS Stream 10 (Coughlan): dnf -y install nodejs npm');
    tmp.remove();
    tmp = makeTempDir('gatehouse-setup-host-');
    const fedora = await dryRun('fedora-41');
    expect(fedora.status, fedora.output).toBe(0);
    expect(packages(fedora.stdout)).toEqual(expect.arrayContaining(['libvirt-daemon-kvm', 'qemu-kvm', 'qemu-system-ppc', 'qemu-img']));
    expect(fedora.stdout).toContain('dnf -y install nodejs npm');
  });

  it('Rocky 9 is planned like CentOS Stream 9', async () => {
    const r = await dryRun('rocky-9');
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('dnf -y module enable nodejs:22');
    expect(packages(r.stdout)).toContain('qemu-kvm');
  });

  it.each(['debian-12', 'ubuntu-24.04'] as const)('%s: Node.js from NodeSource (the distribution has 18), apt packages, libvirtd', async (os) => {
    const r = await dryRun(os);
    expect(r.status, r.output).toBe(0);
    expect(r.stderr).toContain('ships Node.js 18; gatehouse needs >= 20: adding NodeSource');
    expect(r.stdout).toContain('add the NodeSource apt repository (node_22.x');
    expect(r.stdout).toContain('apt-get install -y -q nodejs');
    expect(packages(r.stdout)).toEqual(['git', 'ca-certificates', 'libvirt-daemon-system', 'libvirt-clients', 'qemu-utils', 'debootstrap', 'e2fsprogs', 'qemu-system-ppc', 'qemu-system-x86']);
    expect(r.stdout).toContain('apt-get update');
    expect(r.stdout).toContain('would: enable libvirtd.socket');
    expect(filesUnder(r.root)).toEqual(['etc/os-release']);
  });

  it('a node >= 20 already installed is used as it is', async () => {
    const r = await dryRun('debian-12', [], { SETUP_HOST_ROOT: '' });
    // Against this machine itself (a dry run changes nothing): it has a node >= 20 on PATH.
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toMatch(/^node: \/\S+ \(v2\d\./m);
    expect(r.stdout).not.toContain('NodeSource');
  });

  it.each(['debian-11', 'alpine-3.20'] as const)('%s: stops before changing anything', async (os) => {
    const r = await dryRun(os, []);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unsupported OS: .*; nothing was changed/);
    expect(r.stdout).toBe('');
    const real = await runSetupHost([TEST_CONFIG], { SETUP_HOST_OS_RELEASE: path.join(r.root, 'etc/os-release') });
    expect(real.status).toBe(1);
    expect(real.stderr).toContain('unsupported OS');
  });

  it('--instance staging: its own port, paths, units, status contexts and logs branch', async () => {
    const config = path.join(tmp.path, 'with-logs.mjs');
    writeFileSync(config, readFileSync(TEST_CONFIG, 'utf8').replace("workers: [", "logs: { remote: '/srv/ci-logs.git' },\n  workers: ["));
    writeFileSync(path.join(tmp.path, 'hello.sh'), 'echo hi\n');
    const root = fakeRoot(path.join(tmp.path, 'root'), 'centos-stream-9');
    const stage = path.join(tmp.path, 'stage');
    const r = await runSetupHost([config, '--dry-run', '--allow-host-executor', '--instance', 'staging'], { SETUP_HOST_ROOT: root, SETUP_HOST_STAGE: stage });
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('paths: app /opt/gatehouse-staging, config /etc/gatehouse-staging, data /var/lib/gatehouse-staging; units gatehouse-staging-master.service, gatehouse-staging-worker@.service');
    expect(r.stdout).toContain('instance: port 18011, status context "staging/3rdparty/{builder}", logs branch ci-logs-staging');
    expect(r.stdout).toContain('would: enable gatehouse-staging-worker@local.service');
    const wrapper = readFileSync(path.join(stage, 'etc/gatehouse.mjs'), 'utf8');
    expect(wrapper).toContain("statusContext: 'staging/3rdparty/{builder}'");
    expect(wrapper).toContain("branch: 'ci-logs-staging'");
    expect(wrapper).toContain("dataDir: '/var/lib/gatehouse-staging'");
    expect(wrapper).toContain('port: 18011');
    expect(readFileSync(path.join(stage, 'units/gatehouse-staging-worker@.service'), 'utf8')).toContain('--master ws://127.0.0.1:18011');
  });

  it('an Ember-CSI config file is converted: one builder per driver, its secrets in secrets.env', async () => {
    const dir = path.join(tmp.path, 'ember');
    const ember = path.join(dir, 'config');
    fakeRoot(dir, 'centos-stream-9');
    writeFileSync(path.join(dir, 'pre-run.sh'), '#!/bin/bash\necho pre\n');
    writeFileSync(ember, [
      '# Ember-CSI third-party CI settings',
      'SMEE_ID=AbC123',
      'GH_TOKEN=ghp_exampletoken',
      "GH_EMBER_SECRET='webhook \"secret\" $x'",
      'NUM_DRIVERS=2',
      'DRIVER_NAME_1=lvm',
      `DRIVER_CONFIG_1='{"driver":"LVMVolume","volume_group":"ember-volumes"}'`,
      'PRE_RUN_1=pre-run.sh',
      'DRIVER_NAME_2="ACME array"',
      'DRIVER_CONFIG_2=\'{"driver":"AcmeDriver","san_password":"pw"}\'',
      'POST_RUN_2="echo done"',
      'NUM_WORKERS=2',
      'WEB_PORT=8020',
      '',
    ].join('\n'));
    const root = fakeRoot(path.join(tmp.path, 'root'), 'centos-stream-9');
    const stage = path.join(tmp.path, 'stage');
    const r = await runSetupHost([ember, '--dry-run'], { SETUP_HOST_ROOT: root, SETUP_HOST_STAGE: stage });
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('is an Ember-CSI config: converting it');
    expect(r.stdout).toContain('instance: port 8020');
    const config = JSON.parse(readFileSync(path.join(stage, 'etc/site/gatehouse.config.json'), 'utf8'));
    expect(config.smee).toEqual({ url: 'https://smee.io/AbC123' });
    expect(config.github.token).toEqual({ env: 'GH_TOKEN' });
    expect(config.workers).toEqual([{ name: 'local', secret: { env: 'GATEHOUSE_WORKER_SECRET' }, slots: 2 }]);
    expect(config.builders.map((b: { name: string }) => b.name)).toEqual(['lvm', 'ACME-array']);
    expect(config.builders[0].env).toEqual({ X_CSI_BACKEND_CONFIG: { env: 'DRIVER_CONFIG_1' } });
    expect(config.builders[0].steps.map((s: { name: string }) => s.name)).toEqual(['build', 'pre-run', 'test']);
    expect(config.builders[1].steps.at(-1)).toMatchObject({ name: 'post-run', run: 'echo done', always: true });
    expect(readFileSync(path.join(stage, 'etc/site/pre-run.sh'), 'utf8')).toContain('echo pre');
    const secrets = readFileSync(path.join(stage, 'etc/secrets.env'), 'utf8');
    expect(secrets).toContain('GH_TOKEN="ghp_exampletoken"\n');
    expect(secrets).toContain('GH_EMBER_SECRET="webhook \\"secret\\" \\$x"\n');
    expect(secrets).toContain('DRIVER_CONFIG_2="{\\"driver\\":\\"AcmeDriver\\",\\"san_password\\":\\"pw\\"}"\n');
    expect(secrets).toMatch(/^GATEHOUSE_WORKER_SECRET="[0-9a-f]{64}"$/m);
    // Secrets never reach stdout (the plan).
    expect(r.stdout).not.toContain('ghp_exampletoken');
    expect(r.stdout).not.toContain('san_password');
  });

  it('a config that does not validate stops the run, naming the key', async () => {
    const config = path.join(tmp.path, 'bad.mjs');
    writeFileSync(config, "export default { github: { repo: 'nope', webhookSecret: { env: 'S' } }, builders: [] };\n");
    const root = fakeRoot(path.join(tmp.path, 'root'), 'centos-stream-9');
    const r = await runSetupHost([config, '--dry-run'], { SETUP_HOST_ROOT: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('github.repo');
    expect(r.stderr).toContain('the config does not validate');
  });

  it('a secret nothing can give stops the run and says how to pass it', async () => {
    const config = path.join(tmp.path, 'token.mjs');
    writeFileSync(config, "export default { github: { repo: 'a/b', token: { env: 'GH_TOKEN_FOR_TEST' }, webhookSecret: { env: 'S' } }, builders: [{ name: 'b', steps: [{ name: 's', run: 'true' }] }] };\n");
    const root = fakeRoot(path.join(tmp.path, 'root'), 'centos-stream-9');
    const r = await runSetupHost([config, '--dry-run', '--allow-host-executor'], { SETUP_HOST_ROOT: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('needs secret(s) GH_TOKEN_FOR_TEST');
    expect(r.stderr).toContain('sudo GH_TOKEN_FOR_TEST=...');
    const given = await runSetupHost([config, '--dry-run', '--allow-host-executor'], { SETUP_HOST_ROOT: root, GH_TOKEN_FOR_TEST: 'from-the-environment' });
    expect(given.status, given.output).toBe(0);
    expect(given.stdout).toContain('GH_TOKEN_FOR_TEST: environment');
  });

  it('the shipped Ember-CSI example installs: its files travel with it, its image is one the worker builds with docker and LVM', async () => {
    const root = fakeRoot(path.join(tmp.path, 'root'), 'debian-12');
    const stage = path.join(tmp.path, 'stage');
    const example = path.join(REPO, 'examples/ember-csi/gatehouse.config.mjs');
    // A host that is no Ceph client (CEPH_ROOT without etc/ceph): the example leaves that driver out and says so.
    const r = await runSetupHost([example, '--dry-run'], {
      SETUP_HOST_ROOT: root, SETUP_HOST_STAGE: stage, SETUP_HOST_ARCH: 'x86_64',
      CEPH_ROOT: path.join(tmp.path, 'not-ceph'), DRIVER_CONFIG_LVM: '{"driver":"LVMVolume"}', GH_TOKEN: 'token-for-test',
    });
    expect(r.status, r.output).toBe(0);
    expect(r.stderr).toContain('driver ceph left out');
    expect(r.stdout).toContain('image ember-csi-x86_64 (x86_64): built by the worker (vm-image/build.sh --distro debian --with docker --packages lvm2 --arch x86_64)');
    // The driver scripts the config sources when it loads are installed beside it.
    expect(r.stdout).toMatch(/new +\/etc\/gatehouse\/site\/driver-config\.ceph\.sh/);
    expect(r.stdout).toMatch(/new +\/etc\/gatehouse\/site\/ember-csi\.sh \(0750 root:gatehouse\)/);
  });

  it('a builder on the host executor is refused without --allow-host-executor, naming it and why', async () => {
    const root = fakeRoot(path.join(tmp.path, 'root'), 'debian-12');
    const stage = path.join(tmp.path, 'stage');
    const r = await runSetupHost([TEST_CONFIG, '--dry-run'], { SETUP_HOST_ROOT: root, SETUP_HOST_STAGE: stage, SETUP_HOST_ARCH: 'x86_64' });
    expect(r.status, r.output).toBe(1);
    expect(r.stderr).toContain('builders on the host executor: smoke');
    expect(r.stderr).toContain('libvirt and kvm groups');
    expect(r.stderr).toContain('--allow-host-executor');
    expect(r.stdout).not.toContain('would: create /etc/gatehouse');
    const allowed = await runSetupHost([TEST_CONFIG, '--dry-run', '--allow-host-executor'], { SETUP_HOST_ROOT: root, SETUP_HOST_STAGE: stage, SETUP_HOST_ARCH: 'x86_64' });
    expect(allowed.status, allowed.output).toBe(0);
    expect(allowed.stderr).toContain('builders on the host executor (smoke) run pull-request code on this host');
  });

  it('--uninstall --dry-run lists what it would remove and keeps the data', async () => {
    const root = fakeRoot(path.join(tmp.path, 'root'), 'debian-12');
    const r = await runSetupHost(['--uninstall', '--dry-run'], { SETUP_HOST_ROOT: root });
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('stop and disable gatehouse-master.service');
    expect(r.stdout).toContain('kept /etc/gatehouse (config, secrets) and /var/lib/gatehouse (database, logs): --purge removes them');
  });
});
