// Accept or refuse a built version before any build boots it: boot it as a build would (overlay,
// per-VM key, the real domain XML), require the SSH host key its manifest lists (bootVm refuses
// any other), run the smoke commands (the image's, then each builder's `vm.smoke` for it) as the CI
// user, and destroy the VM. Passing makes it current (state.json); failing marks it `failed` and the
// current version stays.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bootVm } from '../executor/vm/boot-vm.js';
import type { Libvirt } from '../executor/vm/libvirt.js';
import { verifyDomainName } from '../executor/vm/leftovers.js';
import { recordVerification } from './image-lifecycle.js';
import { type ImageFamilyConfig, versionImage } from './image-source.js';
import { updateFamilyState } from './image-store.js';

export interface SmokeCommand {
  /** Whose check it is: `image` or `builder <name>`. */
  who: string;
  command: string;
}

export interface VerifyVersionOptions {
  family: string;
  config: ImageFamilyConfig;
  version: string;
  imagesDir: string;
  smoke: SmokeCommand[];
  libvirt: Libvirt;
  /** Worker name for the domain (gatehouse-<worker>-v<n>), swept by that worker's start. */
  worker: string;
  /** Overlay and console log go here. */
  dir: string;
  domainType: 'kvm' | 'qemu';
  bootTimeoutMs: number;
  /** Per smoke command (default 10 min). */
  smokeTimeoutMs?: number;
  now?: () => number;
}

export interface Verification {
  ok: boolean;
  /** Why not. */
  failure?: string;
  /** Boot to SSH answering with the manifest's host key. */
  bootMs?: number;
  smokeMs?: number;
  /** Each smoke command's exit and output tail. */
  smoke: Array<SmokeCommand & { exitCode: number | null; output: string }>;
}

let verifySeq = 0;

/** The image's smoke command, then those of the builders that name it. */
export function smokeCommandsFor(family: string, config: ImageFamilyConfig, builders: ReadonlyArray<{ name: string; vm?: { image: string; smoke?: string } | undefined }>): SmokeCommand[] {
  return [
    { who: 'image', command: config.smoke },
    ...builders.filter((b) => b.vm?.image === family && b.vm.smoke).map((b) => ({ who: `builder ${b.name}`, command: b.vm?.smoke as string })),
  ];
}

async function check(options: VerifyVersionOptions): Promise<Verification> {
  const image = versionImage(options.family, options.config, options.imagesDir, options.version);
  const manifest = path.join(path.dirname(image.disk), 'manifest.json');
  if (!existsSync(image.disk)) return { ok: false, failure: `no disk at ${image.disk}`, smoke: [] };
  const listed = existsSync(manifest) ? ((JSON.parse(readFileSync(manifest, 'utf8')) as { sshHostKeys?: string[] }).sshHostKeys ?? []) : [];
  if (listed.length === 0) return { ok: false, failure: `${manifest} lists no SSH host keys: the guest's sshd cannot be checked`, smoke: [] };
  await mkdir(options.dir, { recursive: true });
  await chmod(options.dir, 0o711); // qemu runs as another user (libvirt-qemu) and must reach the overlay
  const started = Date.now();
  let vm;
  try {
    vm = await bootVm(
      { name: verifyDomainName(options.worker, ++verifySeq), image, memoryMiB: 1024, cpus: 1, network: false },
      { libvirt: options.libvirt, dir: options.dir, domainType: options.domainType, bootTimeoutMs: options.bootTimeoutMs },
    );
  } catch (error) {
    return { ok: false, failure: `boot: ${(error as Error).message.split('\n')[0]}`, smoke: [] };
  }
  const bootMs = Date.now() - started;
  const results: Verification['smoke'] = [];
  const smokeStarted = Date.now();
  try {
    for (const smoke of options.smoke) {
      let output = '';
      const append = (text: string) => void (output = (output + text).slice(-2000));
      let timer: NodeJS.Timeout | undefined;
      const timeoutMs = options.smokeTimeoutMs ?? 600_000;
      const exit = await Promise.race([
        vm.session.exec(smoke.command, { onStdout: append, onStderr: append }).then((r) => r.code, (e: Error) => (append(e.message), null)),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
      const exitCode = exit === 'timeout' ? null : exit;
      results.push({ ...smoke, exitCode, output });
      if (exit === 'timeout') return { ok: false, failure: `smoke (${smoke.who}) \`${smoke.command}\` timed out after ${timeoutMs / 1000}s`, bootMs, smoke: results };
      if (exitCode !== 0) return { ok: false, failure: `smoke (${smoke.who}) \`${smoke.command}\` exited ${exitCode ?? 'without a status'}: ${output.trim().split('\n').slice(-3).join(' | ')}`, bootMs, smoke: results };
    }
    return { ok: true, bootMs, smokeMs: Date.now() - smokeStarted, smoke: results };
  } finally {
    await vm.destroy();
  }
}

/** Boot and check the version, then record the outcome: current on success, failed otherwise. */
export async function verifyImageVersion(options: VerifyVersionOptions): Promise<Verification> {
  const now = options.now ?? Date.now;
  const result = await check(options);
  await updateFamilyState(options.imagesDir, options.family, (state) => recordVerification(state, options.version, now(), result.ok ? undefined : result.failure ?? 'failed'));
  return result;
}
