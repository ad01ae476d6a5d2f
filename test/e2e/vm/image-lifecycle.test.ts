// Image versions over time, with real (small) images and real VM boots under TCG: a build makes a
// dated version (build.sh --seed: the cached test image, copied and restamped, so no debootstrap
// here; the copy's manifest takes the recipe of the scripts in this tree, so the test does not
// depend on whether the cache was built from them), verify boots it (SSH host key as in its manifest, the image's and the builder's smoke
// commands) and only then switches builds to it; a version whose smoke fails is never switched to;
// a VM executor started before the switch boots the new version at its next build and reports it;
// then obsolete marking and deletion with an injected clock, keeping what a running VM uses; last,
// a real `gatehouse worker` process finds a rebuild due at start, builds, verifies and switches,
// and tells its master. Five boots in all (≈25 s each here).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../../shared/config.js';
import type { ConfigInput } from '../../../shared/config.js';
import { runBuild } from '../../../worker/build-runner.js';
import { vmExecutorFromConfig } from '../../../worker/executor/vm/vm-executor-from-config.js';
import { createOverlay } from '../../../worker/executor/vm/overlay.js';
import { domainPrefix } from '../../../worker/executor/vm/leftovers.js';
import { createImageMaintenance } from '../../../worker/images/image-maintenance.js';
import { readFamilyState, versionDir } from '../../../worker/images/image-store.js';
import { createSourceCache } from '../../../worker/source-cache.js';
import { CLI, startMasterProcess } from '../../support/master-process.js';
import { startWorkerProcess } from '../../support/worker-process.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';
import { captureLogger, RecordingSink, step } from '../../support/worker-build-spec.js';
import { domainsNamed, testImage, vmTestEnv } from '../../support/vm-env.js';
import { expectNothingLeft, uniqueWorker, vmBuild, vmTestRoot } from '../../support/vm-build.js';

const env = vmTestEnv();
const DAY = 24 * 3600 * 1000;
const root = vmTestRoot('images');
const imagesDir = path.join(root, 'images');
const seed = path.join(root, 'seed');
const worker = uniqueWorker('img');
const verifier = uniqueWorker('imgv');
afterAll(() => spawnSync('rm', ['-rf', root]));

/** The CLI, without blocking this process (a boot takes a while). */
function gatehouse(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...TEST_SECRETS }, timeout: 600_000 }, (error, stdout, stderr) => resolve({ status: error ? (child.exitCode ?? 1) : 0, stdout, stderr }));
  });
}

function configWith(builderSmoke: string): { input: ConfigInput; config: Config } {
  const input = testConfig({
    dataDir: root,
    images: { deb: { arch: 'x86_64', build: { distro: 'debian', seed }, smoke: 'pgrep -x sshd >/dev/null && test "$(id -un)" = ci', keepDays: 14 } },
    vm: { imagesDir, domainType: 'qemu', bootTimeout: '5m' }, // other suites' VMs may share the 2 cores
    builders: [{ name: 'b', vm: { image: 'deb', memoryMiB: 1024, cpus: 1, smoke: builderSmoke }, steps: [{ name: 's', run: 'true' }] }],
  });
  return { input, config: parseConfig(input, 'e2e', { env: TEST_SECRETS }).config };
}

describe.skipIf(env.skipReason !== undefined)('image lifecycle on real VMs', () => {
  const good = configWith('sudo -n true && test -d /home/ci');
  const logger = captureLogger();
  const maintenance = (config: Config) => createImageMaintenance({ config, worker: verifier, logger });
  // Started before any version exists, never restarted: it must pick up each switch by itself.
  const executor = vmExecutorFromConfig(good.config, worker, path.join(root, 'worker', worker), { sourceCache: createSourceCache({ dir: path.join(root, 'git') }), logger });
  const stopBuild = new AbortController();
  let building: Promise<unknown> = Promise.resolve();
  afterAll(async () => {
    stopBuild.abort('the test ended'); // a build still booting (a timed-out test) destroys its VM
    await building;
    await executor?.close();
    expectNothingLeft(worker, path.join(root, 'worker', worker, 'vm'));
    expect(domainsNamed(domainPrefix(verifier)), 'verify domains left').toEqual([]);
  });
  const versions: string[] = [];

  it('builds a dated candidate, verifies it on a real boot, and makes it current', async () => {
    const cached = path.dirname(testImage('x86_64').disk); // with how to build it when it is missing
    const plan = spawnSync('vm-image/build.sh', ['--distro', 'debian', '--arch', 'x86_64', '--out', seed, '--dry-run'], { encoding: 'utf8' });
    const recipe = /recipe ([0-9a-f]{16})/.exec(plan.stderr)?.[1];
    expect(recipe, plan.stderr).toBeDefined();
    spawnSync('mkdir', ['-p', seed]);
    expect(spawnSync('cp', ['--reflink=auto', ...['disk.qcow2', 'kernel', 'initrd.img'].map((f) => path.join(cached, f)), seed]).status).toBe(0);
    writeFileSync(path.join(seed, 'manifest.json'), readFileSync(path.join(cached, 'manifest.json'), 'utf8').replace(/"recipe": "[0-9a-f]+"/, `"recipe": "${recipe}"`));
    await expect(executor?.prepare(vmBuild('deb', [step('0', 's', { run: 'true' })]), new AbortController().signal)).rejects.toThrow(/image deb has no current version yet/);
    const started = Date.now();
    const built = await maintenance(good.config).build('deb');
    console.log(`build (seed copy) ${built.buildSeconds.toFixed(1)}s; verify: boot to SSH ${((built.verification.bootMs ?? 0) / 1000).toFixed(1)}s, smoke ${((built.verification.smokeMs ?? 0) / 1000).toFixed(1)}s; total ${((Date.now() - started) / 1000).toFixed(1)}s`);
    expect(built.version).toMatch(/^deb-\d{8}$/);
    expect(built.verification).toMatchObject({ ok: true });
    expect(built.verification.smoke.map((s) => [s.who, s.exitCode])).toEqual([['image', 0], ['builder b', 0]]);
    const state = await readFamilyState(imagesDir, 'deb');
    expect(state.current).toBe(built.version);
    expect(state.versions).toEqual([expect.objectContaining({ name: built.version, state: 'current', verifiedAt: expect.any(String), recipe: expect.stringMatching(/^[0-9a-f]{16}$/) })]);
    versions.push(built.version);
  }, 600_000);

  it('never switches to a version whose builder smoke command fails', async () => {
    const broken = configWith('echo "docker: not found" >&2; exit 3');
    const built = await maintenance(broken.config).build('deb');
    expect(built.version).toBe(`${versions[0]}.2`);
    expect(built.verification.ok).toBe(false);
    expect(built.verification.failure).toMatch(/^smoke \(builder b\) `.*` exited 3: docker: not found/);
    const state = await readFamilyState(imagesDir, 'deb');
    expect(state.current).toBe(versions[0]);
    expect(state.versions.find((v) => v.name === built.version)).toMatchObject({ state: 'failed' });
    versions.push(built.version);
  }, 600_000);

  it('switches with `gatehouse images build`, and the next build boots and records the new version', async () => {
    const file = path.join(root, 'gatehouse.config.json');
    writeFileSync(file, JSON.stringify(good.input));
    expect(existsSync(CLI.replace('bin/gatehouse.js', 'dist/cli/images-command.js')), 'dist is built (npm run build)').toBe(true);
    const cli = await gatehouse('images', 'build', '--config', file);
    expect(cli.stderr).toContain('copied from the seed');
    expect(cli.status, cli.stderr).toBe(0);
    const version = `${versions[0]}.3`;
    expect(cli.stdout).toMatch(new RegExp(`^deb: ${version.replace('.', '\\.')} built in [\\d.]+s; verified \\(boot [\\d.]+s\\): now current\\n$`));
    versions.push(version);
    const state = await readFamilyState(imagesDir, 'deb');
    expect(state.current).toBe(version);
    expect(state.versions.map((v) => v.state)).toEqual(['previous', 'failed', 'current']);

    const sink = new RecordingSink();
    const before = Date.now();
    building = runBuild(vmBuild('deb', [step('0', 'which', { run: 'echo booted' })], { buildId: 41 }), { executor: executor as NonNullable<typeof executor>, sink, signal: stopBuild.signal, logger });
    const result = await building;
    expect(result).toBe('success');
    expect(sink.log(41, '0', 'header')).toContain(`(image deb, x86_64, 1 vCPU, 1024 MiB, network off), image version ${version}; booted in`);
    const finished = sink.buildFinished(41)[0];
    expect(finished?.image).toEqual({ image: 'deb', version, at: expect.any(Number), start: 'boot', startMs: expect.any(Number) });
    expect(finished?.image?.at).toBeGreaterThanOrEqual(before);
    const used = (await readFamilyState(imagesDir, 'deb')).versions.find((v) => v.name === version);
    expect(Date.parse(used?.lastUsedAt ?? '')).toBeGreaterThanOrEqual(before);

    const list = await gatehouse('images', 'list', '--config', file);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^deb: current ${version.replace('.', '\\.')}\\n \\* ${version.replace('.', '\\.')} +current +built .*last used`));
    expect(list.stdout).toMatch(/failed: smoke \(builder b\)/);
  }, 900_000);

  it('marks unused versions obsolete, deletes them keepDays later, never the current one or one a VM runs on', async () => {
    const [first, failed, current] = versions as [string, string, string];
    // A VM of another worker on this host still runs on the first version: an overlay backed by its disk.
    const otherVm = path.join(root, 'worker', 'other', 'vm');
    spawnSync('mkdir', ['-p', otherVm]);
    await createOverlay(path.join(versionDir(imagesDir, 'deb', first), 'disk.qcow2'), path.join(otherVm, 'gatehouse-other-b1-1.qcow2'));
    const at = (days: number) => createImageMaintenance({ config: good.config, worker: verifier, logger, now: () => Date.now() + days * DAY });
    const usedByVm = { name: first, why: 'in use by a running VM' };
    expect(await at(13).prune('deb')).toEqual({ markObsolete: [], remove: [], kept: [] });
    expect(await at(15).prune('deb')).toEqual({ markObsolete: [failed], remove: [], kept: [usedByVm] });
    expect(await at(30).prune('deb')).toEqual({ markObsolete: [], remove: [failed], kept: [usedByVm] });
    expect(existsSync(versionDir(imagesDir, 'deb', failed))).toBe(false);
    expect(existsSync(versionDir(imagesDir, 'deb', first))).toBe(true);
    spawnSync('rm', ['-rf', otherVm]); // that VM is gone: the first version, unused for long, becomes obsolete
    expect(await at(30).prune('deb')).toEqual({ markObsolete: [first], remove: [], kept: [] });
    expect(await at(43).prune('deb')).toEqual({ markObsolete: [], remove: [], kept: [] });
    expect(await at(45).prune('deb')).toEqual({ markObsolete: [], remove: [first], kept: [] });
    expect(existsSync(versionDir(imagesDir, 'deb', first))).toBe(false);
    expect(await at(400).prune('deb')).toEqual({ markObsolete: [], remove: [], kept: [] });
    const state = await readFamilyState(imagesDir, 'deb');
    expect(state.versions.map((v) => [v.name, v.state])).toEqual([[current, 'current']]);
    expect(existsSync(versionDir(imagesDir, 'deb', current))).toBe(true);
  }, 60_000);
  it('a real `gatehouse worker` rebuilds a due image at start, switches to it, and the master\'s workers API shows the new version', async () => {
    const current = versions[2] as string;
    const daemon = uniqueWorker('imgd');
    const file = path.join(root, 'gatehouse.daemon.json');
    // Due at once: the current version is older than a second. `workers` gets this worker's entry.
    const input = { ...good.input, images: { deb: { ...(good.input.images as Record<string, object>).deb, rebuildEvery: '1s' } }, workers: [{ name: daemon, secret: { env: 'WORKER_SECRET' }, slots: 1 }] };
    writeFileSync(file, JSON.stringify(input));
    const master = await startMasterProcess(['master', '--config', file, '--port', '0', '--data-dir', path.join(root, 'master')]);
    const proc = startWorkerProcess(file, daemon, master.url.replace(/^http/, 'ws'));
    try {
      await proc.waitFor('connected to the master');
      await proc.waitFor(/image deb: deb-\d{8}(\.\d+)? verified \(boot [\d.]+s, smoke [\d.]+s\): builds now use it/, 600_000);
      const state = await readFamilyState(imagesDir, 'deb');
      // A new dated name (the first free one: the pruned versions' names are free again).
      expect(state.current).toMatch(/^deb-\d{8}(\.\d+)?$/);
      expect(state.current).not.toBe(current);
      expect(state.versions.find((v) => v.name === current)?.state).toBe('previous');
      // The worker told the master (an `images` message) without reconnecting.
      let shown: Array<{ image: string; current?: string }> = [];
      for (let i = 0; i < 100 && shown[0]?.current !== state.current; i++) {
        const { workers } = (await (await fetch(`${master.url}/api/v2/workers`)).json()) as { workers: Array<{ name: string; image_versions: typeof shown }> };
        shown = workers.find((w) => w.name === daemon)?.image_versions ?? [];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(shown).toEqual([expect.objectContaining({ image: 'deb', current: state.current })]);
      expect(proc.output().match(/connected to the master/g)).toHaveLength(1);
    } finally {
      await proc.kill();
      await master.kill();
      expect(domainsNamed(domainPrefix(daemon)), 'verify domains left by the worker').toEqual([]);
    }
  }, 900_000);
});
