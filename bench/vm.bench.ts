// Issue 4: the VM executor on real VMs. Overlay creation; cold boot → first step for x86_64 and
// ppc64le (TCG here), with what the boot time went to (vm-cold-boot.bench.ts); and
// warm pool → first step; and (issue 15) restore from a memory snapshot → first step, for x86_64 and
// ppc64le, with the medians of the restore's phases. Skipped, with a message, when libvirtd does not
// answer or the images are not built (GATEHOUSE_VM_IMAGES, default /var/cache/gatehouse-images,
// filled by .ci/run).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, chmodSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BuildSpec, StepSpec } from '../shared/protocol.js';
import { runBuild } from '../worker/build-runner.js';
import { createLogger } from '../shared/logger.js';
import { connectLibvirt } from '../worker/executor/vm/connect-libvirt.js';
import type { Libvirt } from '../worker/executor/vm/libvirt.js';
import { createOverlay, deleteOverlay } from '../worker/executor/vm/overlay.js';
import { uploadTree } from '../worker/executor/vm/guest-files.js';
import { SNAPSHOT_FILES } from '../worker/executor/vm/snapshot/snapshot-store.js';
import { createVmExecutor, type VmExecutor } from '../worker/executor/vm/vm-executor.js';
import type { VmArch, VmImageConfig } from '../worker/executor/vm/vm-image.js';
import { BENCH_VM_DOMAIN_TYPE as DOMAIN_TYPE, BENCH_VM_ENGINE as ENGINE } from './bench-config.js';
import { ms, percentile, type BenchResult } from './stats.js';
import { benchColdBoot } from './vm-cold-boot.bench.js';

const IMAGES_DIR = process.env.GATEHOUSE_VM_IMAGES ?? '/var/cache/gatehouse-images';
const URI = process.env.GATEHOUSE_LIBVIRT_URI ?? 'qemu:///system';
// Warnings show: a boot that failed and was retried on a fresh VM says why (its console's tail).
const logger = createLogger({ level: 'warn' });
// GATEHOUSE_BENCH_VM=cold-boot (comma-separated) runs only those parts.
const parts = new Set((process.env.GATEHOUSE_BENCH_VM ?? 'overlay,cold-boot,pool,restore').split(','));
/** A restore under KVM has none of TCG's emulation costs: the goal for it is under a second. */
const RESTORE_TARGET_MS = DOMAIN_TYPE === 'kvm' ? 1000 : 3000;

export async function benchVm(): Promise<BenchResult[]> {
  let libvirt: Libvirt;
  try {
    libvirt = await connectLibvirt({ uri: URI });
  } catch (error) {
    console.log(`vm benchmarks skipped: libvirt is not available at ${URI} (${(error as Error).message})`);
    return [];
  }
  const images: Record<string, VmImageConfig> = {};
  for (const arch of ['x86_64', 'ppc64le'] as VmArch[]) {
    const dir = path.join(IMAGES_DIR, `debian-${arch}`);
    if (existsSync(path.join(dir, 'manifest.json'))) images[arch] = { arch, disk: path.join(dir, 'disk.qcow2'), kernel: path.join(dir, 'kernel'), initrd: path.join(dir, 'initrd.img') };
  }
  if (DOMAIN_TYPE === 'kvm' && images.ppc64le) {
    console.log('vm benchmarks under KVM: ppc64le left out (KVM runs guests of the host\'s own architecture)');
    delete images.ppc64le;
  }
  if (!images.x86_64) {
    console.log(`vm benchmarks skipped: no images in ${IMAGES_DIR} (vm-image/build.sh, run by .ci/run)`);
    await libvirt.close();
    return [];
  }
  const root = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-vm-'));
  chmodSync(root, 0o755);
  const results: BenchResult[] = [];
  try {
    if (parts.has('overlay')) results.push(...(await overlayCreate(images.x86_64.disk, root)));
    for (const arch of parts.has('cold-boot') ? Object.keys(images) : []) {
      const only = { [arch]: images[arch] as VmImageConfig };
      results.push(...(await benchColdBoot(arch, libvirt, { executor: (timed) => executor(`bench-${process.pid}-${arch}`, only, timed, root), build: (id, steps) => benchBuild(arch, id, steps), step, timedBuild })));
    }
    if (parts.has('pool')) results.push(...(await warmPool(images, libvirt, root)));
    for (const image of parts.has('restore') ? Object.values(images) : []) results.push(...(await snapshotRestore(image, libvirt, root)));
  } finally {
    await libvirt.close();
    rmSync(root, { recursive: true, force: true });
  }
  return results;
}

async function overlayCreate(base: string, root: string): Promise<BenchResult[]> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const file = path.join(root, `overlay-${i}.qcow2`);
    const t0 = performance.now();
    await createOverlay(base, file);
    times.push(performance.now() - t0);
    await deleteOverlay(file);
  }
  return [{ name: 'overlay create (qemu-img) p50 of 20', value: ms(percentile(times, 50)), unit: 'ms', target: '≤ 50', ok: percentile(times, 50) <= 50 }];
}

function executor(worker: string, images: Record<string, VmImageConfig>, libvirt: Libvirt, root: string, warmPool?: Array<{ image: string; size: number; memoryMiB: number }>, restore?: 'snapshot'): VmExecutor {
  return createVmExecutor({ worker, images, imagesDir: IMAGES_DIR, dir: path.join(root, worker), workRoot: path.join(root, 'work'), libvirtUri: URI, libvirt, domainType: DOMAIN_TYPE, bootTimeoutMs: 300_000, logger, ...(warmPool ? { warmPool } : {}), ...(restore ? { restore } : {}) });
}

function benchBuild(image: string, buildId: number, steps: StepSpec[]): BuildSpec {
  return { buildId, builder: 'bench', number: buildId, executor: 'vm', vm: { image, memoryMiB: 1024, cpus: 2, network: false }, repo: 'acme/bench', pr: null, sha: 'a'.repeat(40), timeoutMs: 600_000, env: {}, secrets: [], steps };
}

const step = (id: string, name: string, run: string): StepSpec => ({ id, name, run, env: {}, haltOnFailure: false, always: false, junit: [], artifacts: [] });

/** Run a build; return when its first step started (step.started) and printed (first stdout, also told to `onFirstOutput`), and all stdout and header text per step. */
async function timedBuild(exec: VmExecutor, build: BuildSpec, onFirstOutput?: () => void): Promise<{ started: number; firstOutput: number; out: Record<string, string>; header: string }> {
  const t0 = performance.now();
  let started = NaN;
  let firstOutput = NaN;
  let header = '';
  const out: Record<string, string> = {};
  const result = await runBuild(build, {
    executor: exec,
    signal: new AbortController().signal,
    logger,
    sink: {
      send(m) {
        if (m.type === 'step.started' && m.step === '0' && Number.isNaN(started)) started = performance.now() - t0;
        if (m.type === 'log' && m.stream === 'header') header += m.data;
        if (m.type === 'log' && m.stream === 'stdout') {
          if (m.step === '0' && Number.isNaN(firstOutput)) {
            firstOutput = performance.now() - t0;
            onFirstOutput?.();
          }
          out[m.step] = (out[m.step] ?? '') + m.data;
        }
        if (m.type === 'build.finished' && m.result !== 'success') console.error(`bench build ${build.buildId}: ${m.result} ${m.reason ?? ''}`);
      },
    },
  });
  if (result !== 'success') throw new Error(`bench build ${build.buildId} ended ${result}`);
  return { started, firstOutput, out, header };
}

/** A restore's phases as its build header tells them: "restored from a snapshot in 3.1s (overlay 0.05s, domain 1.00s, …)". */
function restorePhases(header: string): Array<[string, number]> {
  const list = /restored from a snapshot in [\d.]+s \(([^)]*)\)/.exec(header)?.[1] ?? '';
  return [...list.matchAll(/([^,]+?) ([\d.]+)s(?:,|$)/g)].map((m) => [(m[1] as string).trim(), Number(m[2]) * 1000]);
}

async function warmPool(images: Record<string, VmImageConfig>, libvirt: Libvirt, root: string): Promise<BenchResult[]> {
  const exec = executor(`bench-${process.pid}-pool`, { x86_64: images.x86_64 as VmImageConfig }, libvirt, root, [{ image: 'x86_64', size: 1, memoryMiB: 1024 }]);
  const started: number[] = [];
  const printed: number[] = [];
  try {
    await exec.ready;
    for (let i = 0; i < 3; i++) {
      await exec.pool?.whenFull(300_000);
      await new Promise((r) => setTimeout(r, 3000)); // let the guest settle after boot, as a pooled VM would
      const t = await timedBuild(exec, benchBuild('x86_64', 10 + i, [step('0', 'first', 'echo first')]));
      started.push(t.started);
      printed.push(t.firstOutput);
    }
  } finally {
    await exec.close();
  }
  return [
    { name: 'warm pool: build.start → step.started p50 of 3', value: ms(percentile(started, 50)), unit: 'ms', target: '≤ 100', ok: percentile(started, 50) <= 100 },
    { name: 'warm pool: build.start → first step output p50 of 3', value: ms(percentile(printed, 50)), unit: 'ms' },
    { name: 'warm pool: build.start → first step output max', value: ms(Math.max(...printed)), unit: 'ms' },
  ];
}

/**
 * A build's source upload (what a checkout adds before the first step): this repository at HEAD,
 * as the worker streams a checkout in (a tarball over one SSH channel), into a fresh restored VM
 * each time, p50 of 3. Nothing when the bench does not run from a git checkout.
 */
async function sourceUpload(exec: VmExecutor, arch: string, root: string): Promise<BenchResult[]> {
  const repo = path.resolve(import.meta.dirname, '..', '..');
  const dir = path.join(root, `source-${arch}`);
  try {
    mkdirSync(dir);
    execFileSync('sh', ['-c', 'git -C "$1" archive HEAD | tar -x -C "$2"', 'sh', repo, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    console.log(`source upload bench skipped: no git checkout at ${repo} (${(error as Error).message.split('\n')[0]})`);
    return [];
  }
  const files = execFileSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n').length;
  const bytes = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const workspace = await exec.prepare(benchBuild(arch, 40 + i, []), new AbortController().signal);
    try {
      const t0 = performance.now();
      await uploadTree(workspace.vm.session, dir);
      times.push(performance.now() - t0);
    } finally {
      await exec.cleanup(workspace);
    }
  }
  return [{ name: `source upload: this repository at HEAD (${files} files, ${(bytes / 1048576).toFixed(1)} MiB), p50 of 3 (${arch})`, value: ms(percentile(times, 50)), unit: 'ms' }];
}

/** The image seen through links in the bench's own directory, so its snapshot is made there and goes with it. */
async function snapshotRestore(image: VmImageConfig, libvirt: Libvirt, root: string): Promise<BenchResult[]> {
  const { arch } = image;
  const dir = path.join(root, `snapshot-image-${arch}`);
  mkdirSync(dir, { mode: 0o755 });
  const linked = Object.fromEntries((['disk', 'kernel', 'initrd'] as const).map((key) => [key, path.join(dir, path.basename(image[key]))]));
  for (const file of [image.disk, image.kernel, image.initrd, path.join(path.dirname(image.disk), 'manifest.json')]) symlinkSync(file, path.join(dir, path.basename(file)));
  const exec = executor(`bench-${process.pid}-snap-${arch}`, { [arch]: { ...image, ...linked } }, libvirt, root, undefined, 'snapshot');
  const printed: number[] = [];
  const phases = new Map<string, number[]>();
  const restore = async (buildId: number) => {
    const t = await timedBuild(exec, benchBuild(arch, buildId, [step('0', 'first', 'echo first')]));
    const own = restorePhases(t.header);
    if (own.length === 0) throw new Error(`bench build ${buildId} was not restored from the snapshot: ${t.header.trim()}`);
    // What follows "VM ready": the build's start, the first step's channel, its command, its output.
    own.push(['VM ready → first step output', t.firstOutput - own.reduce((sum, [, phaseMs]) => sum + phaseMs, 0)]);
    for (const [phase, phaseMs] of own) phases.set(phase, [...(phases.get(phase) ?? []), phaseMs]);
    return t.firstOutput;
  };
  try {
    await exec.ready;
    const first = await timedBuild(exec, benchBuild(arch, 20, [step('0', 'first', 'echo first')]));
    for (let i = 1; i <= 3; i++) printed.push(await restore(20 + i));
    const upload = await sourceUpload(exec, arch, root);
    // What every restore reads in: the saved memory (only the guest's non-zero pages) and device state.
    const snapshots = path.join(dir, 'snapshot');
    // Its disk: an overlay on the image holding what the guest wrote before the save (allocated bytes).
    let stateBytes = 0;
    let diskBytes = 0;
    for (const name of readdirSync(snapshots)) {
      stateBytes += statSync(path.join(snapshots, name, SNAPSHOT_FILES.state)).size;
      diskBytes += statSync(path.join(snapshots, name, SNAPSHOT_FILES.disk)).blocks * 512;
    }
    return [
      { name: `snapshot: first build (boot + save + restore) → first step output (${arch})`, value: ms(first.firstOutput / 1000), unit: 's' },
      { name: `snapshot: saved state size (${arch}, 1 GiB guest)`, value: Math.round(stateBytes / 1048576), unit: 'MiB' },
      { name: `snapshot: disk overlay size (${arch})`, value: Math.round((diskBytes / 1048576) * 10) / 10, unit: 'MiB' },
      { name: `snapshot restore → first step output p50 of 3 (${arch}, ${ENGINE})`, value: ms(percentile(printed, 50)), unit: 'ms', target: `≤ ${RESTORE_TARGET_MS}`, ok: percentile(printed, 50) <= RESTORE_TARGET_MS },
      ...[...phases].map(([phase, values]) => ({ name: `  of which ${phase}, p50 (${arch})`, value: ms(percentile(values, 50)), unit: 'ms' })),
      ...upload,
    ];
  } finally {
    await exec.close();
  }
}
