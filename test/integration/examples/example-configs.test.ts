// The two example CIs (examples/ember-csi, examples/docker-ce-ppc64le) validate as configs and say
// what they mean to; Ember's config.example files convert; the docker-ce helper scripts behave.
// Both run for real on VMs: test/e2e/vm/ember-csi.test.ts and test/e2e/vm/docker-ce.test.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePrerequisite } from '../../support/require-prerequisite.js';
import { loadConfig, parseConfig, type StepConfig } from '../../../shared/config/load-config.js';
import { readEmberConfig } from '../../../cli/ember-config/read-ember-config.js';
import { convertEmberConfig } from '../../../cli/ember-config/convert-ember-config.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EMBER = path.join(REPO, 'examples/ember-csi');
const DOCKER = path.join(REPO, 'examples/docker-ce-ppc64le');
const DISTROS = ['debian-bookworm', 'debian-bullseye', 'ubuntu-jammy', 'ubuntu-noble', 'centos-9'];
const TESTS = ['TestDistro', 'TestDistroInstallPackage', 'TestDistroPackageCheck'];

const dummyEnv = (names: string[]) => Object.fromEntries(names.map((n) => [n, `dummy-${n.toLowerCase()}`]));

function step(steps: StepConfig[], name: string): StepConfig {
  const found = steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step "${name}" (have: ${steps.map((s) => s.name).join(', ')})`);
  return found;
}

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-examples-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function run(script: string, args: string[], cwd: string) {
  return spawnSync('bash', [script, ...args], { cwd, encoding: 'utf8' });
}

describe('examples/ember-csi', () => {
  const secrets = dummyEnv(['GATEHOUSE_ADMIN_TOKEN', 'GH_TOKEN', 'GH_EMBER_SECRET', 'GATEHOUSE_WORKER_SECRET', 'DRIVER_CONFIG_LVM']);

  /** Loads the example as a host would: secrets, and CEPH_ROOT for its Ceph driver config script, in the environment. */
  async function loadEmber(cephRoot: string, dir = EMBER) {
    const saved = { ...process.env };
    // TMPDIR: where the Ceph script makes its tarball (removed with the other temp dirs).
    Object.assign(process.env, secrets, { CEPH_ROOT: cephRoot, TMPDIR: tempDir() });
    delete process.env.DRIVER_CONFIG_CEPH;
    try {
      return { loaded: await loadConfig(path.join(dir, 'gatehouse.config.mjs')), cephConfig: process.env.DRIVER_CONFIG_CEPH };
    } finally {
      process.env = saved;
    }
  }

  it('validates, with one VM builder per driver gating embercsi/ember-csi PRs', async () => {
    const cephRoot = tempDir();
    mkdirSync(path.join(cephRoot, 'etc/ceph'), { recursive: true });
    writeFileSync(path.join(cephRoot, 'etc/ceph/ceph.conf'), '[global]\nfsid = 1\n');
    const { loaded: { config, secrets: values }, cephConfig } = await loadEmber(cephRoot);
    expect(config.github.repo).toBe('embercsi/ember-csi');
    expect(config.github.statusContext).toBe('3rdparty/{builder}');
    expect(config.workers).toEqual([expect.objectContaining({ name: 'local', slots: 2 })]);
    expect(config.builders.map((b) => b.name)).toEqual(['lvm', 'ceph']);
    // lvm: DRIVER_CONFIG_LVM from the environment; ceph: what driver-config.ceph.sh set.
    expect(JSON.parse(cephConfig ?? '')).toMatchObject({ driver: 'RBD', rbd_ceph_conf: '/etc/ceph/ceph.conf' });
    expect(values).toEqual(expect.arrayContaining([secrets.DRIVER_CONFIG_LVM, cephConfig]));
    const driverConfigs: Record<string, string | undefined> = { lvm: secrets.DRIVER_CONFIG_LVM, ceph: cephConfig };
    const names = (files: string[] | undefined) => (files ?? []).map((f) => path.basename(f));
    for (const b of config.builders) {
      expect(b.executor).toBe('vm');
      expect(config.images[b.vm!.image]).toMatchObject({ arch: 'x86_64' });
      expect(b.triggers.pullRequest).toMatchObject({ branches: ['master'] });
      expect(b.triggers.comments).toContain(`recheck-${b.name}`);
      expect(b.steps.map((s) => s.name)).toEqual(['build', 'pre-run', 'start-plugin', 'csi-sanity', 'post-run']);
      expect(step(b.steps, 'build')).toMatchObject({ run: 'bash ./ember-csi.sh build' });
      expect(names(step(b.steps, 'build').upload)).toEqual(['ember-csi.sh']);
      // The driver config is a secret, given only to the plugin.
      expect(step(b.steps, 'start-plugin').env).toEqual({ X_CSI_BACKEND_CONFIG: driverConfigs[b.name] });
      expect(step(b.steps, 'csi-sanity').junit).toEqual(['results/*.xml']);
      const post = step(b.steps, 'post-run');
      expect(post).toMatchObject({ always: true, run: 'bash ./post-run.sh "$GATEHOUSE_RESULT"', artifacts: ['results/post-run-result.txt'] });
      expect(names(post.upload)).toEqual(['post-run.sh']);
    }
    // The Ceph script's tarball (CSI_SYSTEM_FILES) goes up with the pre-run script, which unpacks it.
    const [lvmPre, cephPre] = config.builders.map((b) => step(b.steps, 'pre-run'));
    expect(names(lvmPre!.upload)).toEqual(['pre-run.sh']);
    expect(names(cephPre!.upload)).toEqual(['pre-run.sh', 'etc-ceph.tar']);
    expect(cephPre!.env).toEqual({ CSI_SYSTEM_FILES: 'etc-ceph.tar' });
    const listed = spawnSync('tar', ['-tf', cephPre!.upload![1]!], { encoding: 'utf8' });
    expect(listed.stdout.split('\n')).toContain('etc/ceph/ceph.conf');
  });

  it('fails to load, naming the script, when the Ceph driver config script fails', async () => {
    // A copy of the example: a module is evaluated once per process, and the test above loaded it.
    const copy = tempDir();
    cpSync(EMBER, copy, { recursive: true });
    writeFileSync(path.join(copy, 'driver-config.ceph.sh'), 'echo "no keyring here" >&2\nreturn 1\n');
    const cephRoot = tempDir();
    mkdirSync(path.join(cephRoot, 'etc/ceph'), { recursive: true });
    const error = await loadEmber(cephRoot, copy).catch((e: Error) => e);
    expect(String(error)).toMatch(/driver ceph: driver-config\.ceph\.sh failed: .*no keyring here/s);
  });

  it('leaves the Ceph driver out, and says so, on a host that is no Ceph client', async () => {
    const copy = tempDir();
    cpSync(EMBER, copy, { recursive: true });
    const warnings: string[] = [];
    const saved = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const { config } = (await loadEmber(path.join(tempDir(), 'no-such-root'), copy)).loaded;
      expect(config.builders.map((b) => b.name)).toEqual(['lvm']);
    } finally {
      console.warn = saved;
    }
    expect(warnings.join('\n')).toMatch(/driver ceph left out: .*no-such-root\/etc\/ceph does not exist/);
  });

  it('runs PRE_RUN/POST_RUN given as inline code as it is, and uploads nothing for them', async () => {
    const copy = tempDir();
    cpSync(EMBER, copy, { recursive: true });
    const file = path.join(copy, 'gatehouse.config.mjs');
    const source = readFileSync(file, 'utf8');
    const edited = source.replace(
      "{ name: 'lvm', config: 'DRIVER_CONFIG_LVM', preRun: 'pre-run.sh', postRun: 'post-run.sh' }",
      `{ name: 'lvm', config: 'DRIVER_CONFIG_LVM', preRun: 'sudo modprobe dm_mod', postRun: 'echo "lvm run: $GATEHOUSE_RESULT"' }`,
    );
    expect(edited).not.toBe(source);
    writeFileSync(file, edited);
    const cephRoot = tempDir();
    mkdirSync(path.join(cephRoot, 'etc/ceph'), { recursive: true });
    const { config } = (await loadEmber(cephRoot, copy)).loaded;
    const lvm = config.builders.find((b) => b.name === 'lvm')!;
    expect(step(lvm.steps, 'pre-run')).toMatchObject({ run: 'sudo modprobe dm_mod', upload: [] });
    expect(step(lvm.steps, 'post-run')).toMatchObject({ run: 'echo "lvm run: $GATEHOUSE_RESULT"', always: true });
    expect(step(lvm.steps, 'post-run').upload).toBeUndefined();
  });

  it('post-run.sh records the result it is told', () => {
    const dir = tempDir();
    // A docker that is not there to talk to: post-run must still succeed.
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin/docker'), '#!/bin/sh\necho "docker: no daemon" >&2\nexit 1\n', { mode: 0o755 });
    const env = { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, DRIVER_NAME: 'ceph' };
    const result = spawnSync('bash', [path.join(EMBER, 'post-run.sh'), 'failure'], { cwd: dir, encoding: 'utf8', env });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('result failure');
    expect(readFileSync(path.join(dir, 'results/post-run-result.txt'), 'utf8')).toBe('failure\n');
  });

  it.each(['lvm', 'ceph'])('config.example.%s converts (import-ember-config) into a valid config', (driver) => {
    const file = path.join(EMBER, `config.example.${driver}`);
    const conversion = convertEmberConfig(readEmberConfig(file), { baseDir: EMBER, arch: 'x86_64' });
    expect(Object.keys(conversion.secrets).sort()).toEqual(['DRIVER_CONFIG_1', 'GH_EMBER_SECRET', 'GH_TOKEN']);
    expect(JSON.parse(conversion.secrets.DRIVER_CONFIG_1!)).toMatchObject({ driver: driver === 'lvm' ? 'LVMVolume' : 'RBD' });
    expect(conversion.uploads.sort()).toEqual(['post-run.sh', 'pre-run.sh']);
    const { config } = parseConfig(conversion.config, file, { env: { ...conversion.secrets, GATEHOUSE_WORKER_SECRET: 'w', GATEHOUSE_ADMIN_TOKEN: 'a' } });
    expect(config.builders.map((b) => b.name)).toEqual([driver]);
    const steps = config.builders[0]!.steps;
    expect(step(steps, 'pre-run').upload).toEqual(['pre-run.sh']);
    expect(step(steps, 'post-run')).toMatchObject({ always: true, upload: ['post-run.sh'] });
  });

  it('config.example.lvm converts through the CLI as well', (ctx) => {
    const cli = path.join(REPO, 'dist/cli/import-ember-config.js');
    const result = spawnSync(process.execPath, [path.join(REPO, 'bin/gatehouse.js'), 'import-ember-config', path.join(EMBER, 'config.example.lvm')], { encoding: 'utf8' });
    const notBuilt = result.status !== 0 && /Cannot find module|ERR_MODULE_NOT_FOUND/.test(result.stderr);
    if (!requirePrerequisite('the CLI run of import-ember-config', notBuilt ? `${cli} is not built (npm run build)` : undefined)) return ctx.skip();
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ github: { repo: 'embercsi/ember-csi' } });
  });
});

describe('examples/docker-ce-ppc64le', () => {
  const secrets = dummyEnv(['GATEHOUSE_ADMIN_TOKEN', 'GH_TOKEN', 'GH_WEBHOOK_SECRET', 'GATEHOUSE_WORKER_SECRET', 'COS_ACCESS_KEY_ID', 'COS_SECRET_ACCESS_KEY']);

  it('validates: docker on a push that changes env/env.list, dockertest after it', async () => {
    const { config } = await loadConfig(path.join(DOCKER, 'gatehouse.config.mjs'), { env: secrets });
    expect(config.images['docker-ce-ppc64le']).toMatchObject({ arch: 'ppc64le', disk: 'docker-ce-ppc64le/disk.qcow2', kernel: 'docker-ce-ppc64le/kernel', initrd: 'docker-ce-ppc64le/initrd.img' });
    expect(config.artifacts).toMatchObject({ store: 's3', s3: { bucket: 'docker-ce-ppc64le', prefix: 'gatehouse/', secretAccessKey: secrets.COS_SECRET_ACCESS_KEY } });
    expect(config.builders.map((b) => b.name)).toEqual(['docker', 'dockertest']);
    const [docker, dockertest] = config.builders as [(typeof config.builders)[number], (typeof config.builders)[number]];

    expect(docker.vm?.image).toBe('docker-ce-ppc64le');
    expect(docker.triggers).toMatchObject({ pullRequest: false, push: { branches: ['main'] }, paths: ['env/env.list'] });
    expect(docker.steps.map((s) => s.name)).toEqual(['check-env', 'packaging', 'build-scripts', 'packages', 'static']);
    expect(step(docker.steps, 'check-env').run).toContain('check-env-list.sh');
    const packages = step(docker.steps, 'packages');
    expect(packages.maxParallel).toBe(4);
    expect(packages.parallel?.map((c) => c.name)).toEqual(DISTROS.map((d) => `build-${d}`));
    for (const [i, child] of (packages.parallel ?? []).entries()) expect(child.artifacts).toEqual([`packages/${DISTROS[i]}/*`]);
    expect(step(docker.steps, 'static').artifacts).toEqual(['packages/static/*']);

    expect(dockertest.triggers).toMatchObject({ pullRequest: false, push: false, after: 'docker' });
    expect(dockertest.steps.map((s) => s.name)).toEqual(['check-env', 'fetch-packages', 'containerd', 'dockertest', 'errors', 'check', 'publish']);
    expect(step(dockertest.steps, 'fetch-packages').download).toEqual({ from: 'docker', paths: ['packages/**'] });
    const tests = step(dockertest.steps, 'dockertest');
    expect(tests.haltOnFailure).toBe(false);
    expect(tests.parallel?.map((c) => c.junit)).toEqual(DISTROS.map((d) => [`results/${d}/*.xml`]));
    expect(step(dockertest.steps, 'check')).toMatchObject({ haltOnFailure: true, always: false });
    // publish is last, not `always`: it runs only when the check (which halts) passed.
    expect(step(dockertest.steps, 'publish')).toMatchObject({ always: false });
    expect(step(dockertest.steps, 'publish').env).toMatchObject({ AWS_SECRET_ACCESS_KEY: secrets.COS_SECRET_ACCESS_KEY });

    // Every uploaded script exists beside the config.
    for (const b of config.builders) {
      for (const s of b.steps) for (const f of s.upload ?? []) expect(() => readFileSync(path.join(DOCKER, f)), f).not.toThrow();
    }
  });

  const complete = ['# pinned versions', 'DOCKER_TAG="v27.1.1"', 'DOCKER_PACKAGING_REF=4c2da7c', 'CONTAINERD_BUILD=0', "CONTAINERD_TAG='v1.7.20'", 'CONTAINERD_PACKAGING_REF=a1b2c3d', 'RUNC_VERS=v1.1.13', ''].join('\n');

  it('check-env-list.sh accepts a complete env.list', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'env'));
    writeFileSync(path.join(dir, 'env/env.list'), complete);
    const result = run(path.join(DOCKER, 'check-env-list.sh'), ['env/env.list'], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('docker v27.1.1');
    expect(result.stdout).toContain('containerd v1.7.20');
  });

  it('check-env-list.sh fails naming each missing key', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'env.list'), complete.replace(/^RUNC_VERS=.*$/m, '').replace(/^DOCKER_TAG=.*$/m, 'DOCKER_TAG='));
    const result = run(path.join(DOCKER, 'check-env-list.sh'), ['env.list'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing required keys: DOCKER_TAG (or DOCKER_VERS) RUNC_VERS');
    // DOCKER_VERS alone will do for the docker version.
    writeFileSync(path.join(dir, 'env.list'), complete.replace(/^DOCKER_TAG=.*$/m, 'DOCKER_VERS=27.1.1'));
    expect(run(path.join(DOCKER, 'check-env-list.sh'), ['env.list'], dir).status).toBe(0);
  });

  function results(dir: string, rcs: Record<string, number[]>): void {
    for (const [distro, codes] of Object.entries(rcs)) {
      mkdirSync(path.join(dir, 'results', distro), { recursive: true });
      writeFileSync(path.join(dir, 'results', distro, 'rc.txt'), codes.map((rc, i) => `${TESTS[i]} ${rc}\n`).join(''));
    }
  }

  it('write-errors.sh writes the original format, and check-errors.sh passes when all passed', () => {
    const dir = tempDir();
    results(dir, Object.fromEntries(DISTROS.map((d) => [d, [0, 0, 0]])));
    expect(run(path.join(DOCKER, 'write-errors.sh'), ['results', 'errors.txt', ...DISTROS], dir).status).toBe(0);
    const text = readFileSync(path.join(dir, 'errors.txt'), 'utf8');
    expect(text.startsWith('DISTRO debian bookworm\nTestDistro : 0\nTestDistroInstallPackage : 0\nTestDistroPackageCheck : 0\nAll : 0\nDISTRO debian bullseye\n')).toBe(true);
    expect(text).toContain('DISTRO centos 9\n');
    const check = run(path.join(DOCKER, 'check-errors.sh'), ['errors.txt', ...DISTROS], dir);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('check-errors.sh fails on any failed test (all three count) and on a missing distribution', () => {
    const dir = tempDir();
    const rcs = Object.fromEntries(DISTROS.map((d) => [d, [0, 0, 0]]));
    rcs['ubuntu-jammy'] = [0, 0, 1];
    delete rcs['centos-9'];
    results(dir, rcs);
    run(path.join(DOCKER, 'write-errors.sh'), ['results', 'errors.txt', ...DISTROS], dir);
    const text = readFileSync(path.join(dir, 'errors.txt'), 'utf8');
    expect(text).toContain('DISTRO ubuntu jammy\nTestDistro : 0\nTestDistroInstallPackage : 0\nTestDistroPackageCheck : 1\nAll : 1\n');
    expect(text).not.toContain('centos');
    const check = run(path.join(DOCKER, 'check-errors.sh'), ['errors.txt', ...DISTROS], dir);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('ubuntu-jammy: TestDistroPackageCheck: failed (1)');
    expect(check.stderr).toContain('ubuntu-jammy: All: failed (1)');
    expect(check.stderr).toContain('centos-9: missing');
    expect(check.stderr).not.toContain('debian-bookworm');
  });
});
