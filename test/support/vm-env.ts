// What the VM end-to-end tests need from the machine: a libvirtd that answers (started here, without
// systemd, when it is not running: virtlogd first, then libvirtd), and the images built by
// vm-image/build.sh in the images cache (GATEHOUSE_VM_IMAGES, default /var/cache/gatehouse-images).
// Without a libvirtd that answers the tests skip, saying why, and in CI (CI=true) they fail
// (require-prerequisite.ts); missing images are always a failure that says how to build them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { VmImageConfig } from '../../worker/executor/vm/vm-image.js';
import { requirePrerequisite } from './require-prerequisite.js';

export const LIBVIRT_URI = process.env.GATEHOUSE_LIBVIRT_URI ?? 'qemu:///system';
export const IMAGES_DIR = process.env.GATEHOUSE_VM_IMAGES ?? '/var/cache/gatehouse-images';

export interface VmTestEnv {
  /** Why the VM tests cannot run here; undefined when they can. */
  skipReason: string | undefined;
}

function virshAnswers(): boolean {
  return spawnSync('virsh', ['-q', '-c', LIBVIRT_URI, 'uri'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
}

let probed: VmTestEnv | undefined;

export function vmTestEnv(): VmTestEnv {
  if (probed) return probed;
  const missing = probe();
  probed = { skipReason: requirePrerequisite('VM tests', missing) ? undefined : missing };
  return probed;
}

function probe(): string | undefined {
  if (spawnSync('virsh', ['--version'], { stdio: 'ignore' }).status !== 0) return 'virsh is not installed (libvirt-clients); .ci/run installs it';
  if (virshAnswers()) return undefined;
  for (const daemon of ['/usr/sbin/virtlogd', '/usr/sbin/libvirtd']) {
    if (!existsSync(daemon)) return `${daemon} is not installed (libvirt-daemon-system)`;
    spawnSync(daemon, ['-d'], { stdio: 'ignore', timeout: 15_000 });
  }
  for (let i = 0; i < 50 && !virshAnswers(); i++) execFileSync('sleep', ['0.2']);
  return virshAnswers() ? undefined : `libvirtd could not be started or does not answer at ${LIBVIRT_URI}`;
}

/** The image built for `arch` in the cache, as a config entry; throws with the build command when absent. */
export function testImage(arch: 'x86_64' | 'ppc64le'): VmImageConfig {
  const dir = path.join(IMAGES_DIR, `debian-${arch}`);
  for (const file of ['disk.qcow2', 'kernel', 'initrd.img', 'manifest.json']) {
    if (!existsSync(path.join(dir, file))) {
      throw new Error(`no ${arch} image in ${dir} (missing ${file}): build it with vm-image/build.sh --distro debian --arch ${arch} --out ${dir} (.ci/run does)`);
    }
  }
  return { arch, disk: path.join(dir, 'disk.qcow2'), kernel: path.join(dir, 'kernel'), initrd: path.join(dir, 'initrd.img') };
}

/** Running domains whose names start with `prefix`. */
export function domainsNamed(prefix: string): string[] {
  const out = execFileSync('virsh', ['-q', '-c', LIBVIRT_URI, 'list', '--name'], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(prefix));
}

/** Overlays (and console logs) left in a VM directory. */
export function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.qcow2') || f.endsWith('.console.log')) : [];
}
