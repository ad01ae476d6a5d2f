// The Ember-CSI example (examples/ember-csi) run for real: a real master with the example's config,
// a real worker process on the VM executor (libvirtd, qemu under TCG, the --with docker image), and
// the example's saved deliveries test-ok and test-broken sent signed to POST /change_hook/github.
// Each delivery starts both drivers (lvm, ceph); every build runs the example's own steps in a
// fresh VM: docker build of the PR, pre-run (a loop-backed LVM volume group; the Ceph driver config
// script's tarball unpacked into /), the plugin container with the driver config, csi-sanity
// against it, post-run told the result.
//
// Stand-ins only for what is unreachable here, and overrides only of the test environment:
// - ember-csi: a local bare repo (ember-csi-standin/make-repo.sh) whose Dockerfile builds FROM the
//   busybox image the VM imports at boot; PR #1's plugin passes the csi-sanity stand-in, PR #2's
//   fails it. The deliveries name its commits (fixed dates, so fixed ids).
// - csi-sanity: the stand-in script in that repo (CSI_SANITY), since Go and the network are not here.
// - the Ceph cluster: a ceph.conf and keyring under CEPH_ROOT, packed by the example's script.
// - GitHub: no token (no statuses); the clone URL is the local repo; VMs get no network, 1 vCPU.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/load-config.js';
import { startMaster, type RunningMaster } from '../../../master/main.js';
import { parseSavedDelivery, sendSavedDelivery } from '../../../master/deliveries/saved-delivery.js';
import { IMAGES_DIR, vmTestEnv } from '../../support/vm-env.js';
import { expectNothingLeft, uniqueWorker, vmTestRoot } from '../../support/vm-build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = path.join(ROOT, 'examples/ember-csi');
const STANDIN = path.join(ROOT, 'test/e2e/vm/ember-csi-standin');
const IMAGE_DIR = path.join(IMAGES_DIR, 'debian-x86_64-docker');
/** The webhook secret the example's saved deliveries are signed for (see examples/README.md). */
const WEBHOOK_SECRET = 'gatehouse-ember-example';
const LVM_CONFIG = '{"driver": "LVMVolume", "volume_group": "ember-volumes", "target_protocol": "iscsi", "target_helper": "lioadm", "multipath": false}';
const KEYRING_KEY = 'AQBzdGFuZC1pbi1rZXlyaW5nLW5vdC1hLXJlYWwtb25lPT0=';

const env = vmTestEnv();

interface Build { id: number; builder: string; pr: number; sha: string; state: string; result: string | null; result_reason: string | null; started_at: number | null; finished_at: number | null }
interface Step { name: string; result: string | null; started_at: number | null; finished_at: number | null }

describe.skipIf(env.skipReason !== undefined)('examples/ember-csi on real VMs', { timeout: 1_800_000 }, () => {
  const worker = uniqueWorker('ember');
  let root: string;
  let master: RunningMaster;
  let child: ChildProcess | undefined;
  let workerOutput = '';
  let vmDir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    for (const file of ['disk.qcow2', 'kernel', 'initrd.img', 'manifest.json']) {
      if (!existsSync(path.join(IMAGE_DIR, file))) {
        throw new Error(`no docker image in ${IMAGE_DIR} (missing ${file}): build it with vm-image/build.sh --distro debian --arch x86_64 --with docker --packages lvm2 --out ${IMAGE_DIR} (.ci/run does)`);
      }
    }
    root = vmTestRoot('ember');
    vmDir = path.join(root, 'data', 'worker', worker, 'vm');
    // ember-csi's stand-in, and the Ceph cluster's files the example's driver config script packs.
    execFileSync(path.join(STANDIN, 'make-repo.sh'), [path.join(root, 'ember-csi.git')], { stdio: 'ignore' });
    mkdirSync(path.join(root, 'ceph-root/etc/ceph'), { recursive: true });
    mkdirSync(path.join(root, 'tmp'));
    writeFileSync(path.join(root, 'ceph-root/etc/ceph/ceph.conf'), '[global]\nfsid = 2f1d7d3e-6b4c-4c1e-9a53-5c0e2b8d7a11\nmon_host = 192.0.2.10\n');
    writeFileSync(path.join(root, 'ceph-root/etc/ceph/ceph.client.admin.keyring'), `[client.admin]\n\tkey = ${KEYRING_KEY}\n`, { mode: 0o600 });

    // The example's config as it is, with only the test environment changed.
    const config = path.join(root, 'gatehouse.config.mjs');
    writeFileSync(
      config,
      `import example from ${JSON.stringify(path.join(EXAMPLE, 'gatehouse.config.mjs'))};
export default {
  ...example,
  http: { ...example.http, port: 0, host: '127.0.0.1' },
  dataDir: ${JSON.stringify(path.join(root, 'data'))},
  github: { ...example.github, token: undefined, cloneUrl: ${JSON.stringify(path.join(root, 'ember-csi.git'))} },
  workers: example.workers.map((w) => ({ ...w, name: ${JSON.stringify(worker)} })),
  images: { 'ember-csi-x86_64': { arch: 'x86_64', disk: 'debian-x86_64-docker/disk.qcow2', kernel: 'debian-x86_64-docker/kernel', initrd: 'debian-x86_64-docker/initrd.img' } },
  vm: { domainType: 'qemu', imagesDir: ${JSON.stringify(IMAGES_DIR)}, bootTimeout: '4m' },
  builders: example.builders.map((b) => ({
    ...b,
    vm: { ...b.vm, network: false, cpus: 1, memoryMiB: 1536 },
    env: { ...b.env, CSI_SANITY: './tools/csi-sanity' },
  })),
};
`,
    );
    // Secrets come from the environment, as on a real host (the master here, the worker below).
    Object.assign(process.env, {
      GATEHOUSE_ADMIN_TOKEN: 'ember-test-admin-token',
      GH_TOKEN: 'unused',
      GH_EMBER_SECRET: WEBHOOK_SECRET,
      GATEHOUSE_WORKER_SECRET: 'ember-test-worker-secret',
      DRIVER_CONFIG_LVM: LVM_CONFIG,
      CEPH_ROOT: path.join(root, 'ceph-root'),
      TMPDIR: path.join(root, 'tmp'), // where the Ceph script makes its tarball
    });
    master = await startMaster(await loadConfig(config));
    child = spawn(process.execPath, [path.join(ROOT, 'node_modules/vite-node/vite-node.mjs'), 'test/support/vm-worker-process.ts', config, worker, master.url.replace('http', 'ws')], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => void (workerOutput += c.toString()));
    child.stderr?.on('data', (c: Buffer) => void (workerOutput += c.toString()));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await master?.close();
    process.env = savedEnv;
    if (root) {
      expectNothingLeft(worker, vmDir);
      rmSync(root, { recursive: true, force: true });
    }
  });

  const api = async <T>(url: string): Promise<T> => (await (await fetch(`${master.url}${url}`)).json()) as T;
  const log = async (build: number, step: number) => (await fetch(`${master.url}/api/v2/builds/${build}/steps/${step}/log`)).text();

  it('test-ok → success and test-broken → failure for both drivers; post-run is told the result; driver configs never reach a stored log', async () => {
    // The deliveries name the stand-in's commits.
    const deliveries = ['test-ok', 'test-broken'].map((f) => parseSavedDelivery(readFileSync(path.join(EXAMPLE, f), 'utf8')));
    const heads = deliveries.map((d) => (d.body.pull_request as { head: { sha: string } }).head.sha);
    const refs = heads.map((_, i) => execFileSync('git', ['-C', path.join(root, 'ember-csi.git'), 'rev-parse', `refs/pull/${i + 1}/head`], { encoding: 'utf8' }).trim());
    expect(heads, 'the saved deliveries name the stand-in repo commits (make-repo.sh prints them)').toEqual(refs);

    const started = Date.now();
    for (const d of deliveries) expect((await sendSavedDelivery(`${master.url}/change_hook/github`, d)).status).toBe(200);

    let builds: Build[] = [];
    for (;;) {
      builds = (await api<{ builds: Build[] }>('/api/v2/builds?order=id&limit=100')).builds;
      if (builds.length === 4 && builds.every((b) => b.state === 'finished')) break;
      if (Date.now() - started > 1_700_000) throw new Error(`builds not finished: ${JSON.stringify(builds)}\n${workerOutput}`);
      if (child?.exitCode !== null) throw new Error(`the worker exited:\n${workerOutput}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const total = (Date.now() - started) / 1000;

    // Timings, from the API and the build step's own report of dockerd's start.
    for (const b of builds) {
      const steps = (await api<{ steps: Step[] }>(`/api/v2/builds/${b.id}/steps`)).steps;
      const durations = steps.map((s) => `${s.name} ${s.started_at && s.finished_at ? ((s.finished_at - s.started_at) / 1000).toFixed(1) : '-'}s`).join(', ');
      const docker = /docker\.service: (.*)/.exec(await log(b.id, 0))?.[1] ?? '?';
      console.log(`build ${b.id} ${b.builder} PR #${b.pr}: ${b.result} in ${((b.finished_at! - b.started_at!) / 1000).toFixed(1)}s (${durations}); ${docker}`);
    }
    console.log(`4 Ember-CSI builds (2 at a time, TCG, 1 vCPU each): ${total.toFixed(1)}s from the first delivery to the last result`);

    const byKey = Object.fromEntries(builds.map((b) => [`${b.builder}#${b.pr}`, b]));
    expect(Object.fromEntries(Object.entries(byKey).map(([k, b]) => [k, b.result]))).toEqual({ 'lvm#1': 'success', 'ceph#1': 'success', 'lvm#2': 'failure', 'ceph#2': 'failure' });

    // Each build told the master how its VM was had and how long that took: the VM start metric.
    const metrics = await (await fetch(`${master.url}/metrics`)).text();
    for (const builder of ['lvm', 'ceph']) {
      const count = Number(new RegExp(`^gatehouse_vm_start_seconds_count\\{builder="${builder}",start="boot"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
      const sum = Number(new RegExp(`^gatehouse_vm_start_seconds_sum\\{builder="${builder}",start="boot"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
      expect(count, metrics).toBe(2);
      expect(sum).toBeGreaterThan(1); // two TCG boots take seconds each
    }

    for (const b of builds) {
      const ok = b.pr === 1;
      const [build, pre, start, sanity, post] = await Promise.all([0, 1, 2, 3, 4].map((i) => log(b.id, i)));
      expect(build).toContain('Successfully tagged ember-csi:ci');
      expect(pre).toContain(`pre-run: driver ${b.builder}`);
      if (b.builder === 'lvm') expect(pre).toMatch(/Volume group "ember-volumes" successfully created/);
      else expect(pre).toContain('pre-run: unpacking 2 system files from etc-ceph.tar into /\npre-run: ceph cluster 2f1d7d3e-6b4c-4c1e-9a53-5c0e2b8d7a11');
      expect(start).toContain('ember-csi is listening on unix:///run/ember-csi/csi.sock');
      expect(sanity).toContain(ok ? 'csi-sanity stand-in: 3 tests, 0 failed' : 'FAIL - Controller Service DeleteVolume');
      // post-run always ran and was told the result; the plugin's log it prints has the config masked.
      expect(post).toContain(`post-run: driver ${b.builder}, result ${ok ? 'success' : 'failure'}`);
      expect(post).toContain('ember-csi stand-in: backend config ***');
      const artifacts = (await api<{ artifacts: Array<{ id: number; kind: string; path: string }> }>(`/api/v2/builds/${b.id}/artifacts`)).artifacts;
      const result = artifacts.find((a) => a.path === 'results/post-run-result.txt');
      expect(result, JSON.stringify(artifacts)).toBeDefined();
      expect(await (await fetch(`${master.url}/api/v2/builds/${b.id}/artifacts/${result!.id}`)).text()).toBe(`${ok ? 'success' : 'failure'}\n`);
      expect(artifacts.some((a) => a.kind === 'junit' && a.path === 'results/csi-sanity.xml')).toBe(true);
    }

    // The driver configs (and the keyring packed with the Ceph one) are nowhere in the data dir.
    const cephConfig = process.env.DRIVER_CONFIG_CEPH ?? '';
    expect(cephConfig).toContain('"driver":"RBD"');
    const leaks: string[] = [];
    const scan = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) scan(file);
        else {
          const bytes = readFileSync(file);
          for (const secret of [LVM_CONFIG, cephConfig, KEYRING_KEY]) if (bytes.includes(secret)) leaks.push(`${file}: ${secret.slice(0, 20)}…`);
        }
      }
    };
    scan(path.join(root, 'data'));
    expect(leaks).toEqual([]);
  });
});
