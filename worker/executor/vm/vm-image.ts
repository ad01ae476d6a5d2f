// The images a worker can boot: the config's `images` entries with their paths resolved against the
// images directory, and the SSH host keys of the image's manifest.json (beside the disk, written by
// vm-image/build.sh) so that a VM presenting another key is refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type VmArch = 'x86_64' | 'ppc64le' | 'aarch64' | 's390x';

export interface VmImageConfig {
  arch: VmArch;
  disk: string;
  kernel: string;
  initrd: string;
  /** Extra kernel command line, after gatehouse's own (a later root= wins). */
  cmdline?: string;
}

export interface VmImage extends VmImageConfig {
  name: string;
  /** Base64 blobs of the host keys the guest may present; empty: not checked. */
  hostKeys: string[];
  /** The root= part the image needs (manifest `cmdline`, default root=/dev/vda rw). */
  rootCmdline: string;
  /** Which version this is: the version directory of a built family, else the manifest's name (none without a manifest). */
  version?: string;
}

export function resolveImage(name: string, config: VmImageConfig, imagesDir: string, version?: string): VmImage {
  const at = (p: string) => path.resolve(imagesDir, p);
  const image: VmImage = { ...config, name, disk: at(config.disk), kernel: at(config.kernel), initrd: at(config.initrd), hostKeys: [], rootCmdline: 'root=/dev/vda rw', ...(version ? { version } : {}) };
  try {
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(image.disk), 'manifest.json'), 'utf8')) as { sshHostKeys?: string[]; cmdline?: string; name?: string };
    image.hostKeys = (manifest.sshHostKeys ?? []).map((k) => k.split(' ')[1] ?? '').filter((k) => k !== '');
    if (manifest.cmdline) image.rootCmdline = manifest.cmdline;
    if (!image.version && manifest.name) image.version = manifest.name;
  } catch {
    // no manifest: an image made by other means; host keys are then not checked
  }
  return image;
}
