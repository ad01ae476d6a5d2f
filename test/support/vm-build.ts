// Helpers for the VM end-to-end tests: a VM executor on the real libvirtd with its own worker name
// and directories, a vm build spec, and the check every test ends with: no domain and no overlay
// of this worker is left.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { BuildSpec, StepSpec } from '../../shared/protocol.js';
import { createSourceCache } from '../../worker/source-cache.js';
import { createVmExecutor, type VmExecutor, type VmExecutorOptions } from '../../worker/executor/vm/vm-executor.js';
import { domainPrefix } from '../../worker/executor/vm/leftovers.js';
import { buildSpec, captureLogger, type CapturedLogger } from './worker-build-spec.js';
import { domainsNamed, filesIn, IMAGES_DIR, LIBVIRT_URI, testImage } from './vm-env.js';

export interface VmFixture {
  executor: VmExecutor;
  logger: CapturedLogger;
  worker: string;
  root: string;
  vmDir: string;
  /** Close the executor, then check nothing of this worker is left, then remove the directories. */
  finish(): Promise<void>;
}

/** A worker name no other test uses, so sweeps and checks see only this test's domains. */
export function uniqueWorker(tag: string): string {
  return `t${process.pid}-${tag}`;
}

export function vmFixture(tag: string, overrides: Partial<VmExecutorOptions> = {}): VmFixture {
  const worker = uniqueWorker(tag);
  const root = vmTestRoot(tag);
  const vmDir = path.join(root, 'vm');
  const logger = captureLogger();
  const executor = createVmExecutor({
    worker,
    images: overrides.images ?? { 'debian-x86_64': testImage('x86_64') },
    imagesDir: IMAGES_DIR,
    dir: vmDir,
    workRoot: path.join(root, 'work'),
    sourceCache: createSourceCache({ dir: path.join(root, 'git') }),
    libvirtUri: LIBVIRT_URI,
    domainType: 'qemu',
    bootTimeoutMs: 180_000,
    logger,
    killGraceMs: 2000,
    ...overrides,
  });
  return {
    executor,
    logger,
    worker,
    root,
    vmDir,
    async finish() {
      await executor.close();
      expectNothingLeft(worker, vmDir);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A temp directory that qemu (running as libvirt-qemu) may pass through to reach overlays below it. */
export function vmTestRoot(tag: string): string {
  const root = mkdtempSync(path.join(tmpdir(), `gatehouse-vm-${tag}-`));
  chmodSync(root, 0o755);
  return root;
}

export function expectNothingLeft(worker: string, vmDir: string): void {
  expect(domainsNamed(domainPrefix(worker)), 'domains left').toEqual([]);
  expect(filesIn(vmDir), 'overlays or console logs left').toEqual([]);
}

/** Config entries for the cached test images of these architectures, named debian-<arch>. */
export function imagesFor(...arches: Array<'x86_64' | 'ppc64le'>): VmExecutorOptions['images'] {
  return Object.fromEntries(arches.map((arch) => [`debian-${arch}`, testImage(arch)]));
}

/** One vCPU: under TCG each vCPU is a busy host thread, and the rest of the suite shares the two cores. */
export function vmBuild(image: string, steps: StepSpec[], fields: Partial<BuildSpec> = {}): BuildSpec {
  return buildSpec(steps, { executor: 'vm', vm: { image, memoryMiB: 1024, cpus: 1, network: false }, timeoutMs: 600_000, ...fields });
}
