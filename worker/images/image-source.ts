// Which files a build of image X boots, asked when the build starts (not when the config loads), so
// a switch to a new version needs no restart. An image with a `build` section (or a pinned
// `version`) is a family of dated versions: its current one (state.json), its files relative to the
// version's directory. Any other image is its configured files, as before.
import path from 'node:path';
import type { Config } from '../../shared/config.js';
import { resolveImage, type VmImage, type VmImageConfig } from '../executor/vm/vm-image.js';
import { markUsed } from './image-lifecycle.js';
import { readFamilyState, updateFamilyState, versionDir } from './image-store.js';

export type ImageFamilyConfig = Config['images'][string];

export interface ImageSource {
  names(): string[];
  /** What a build of `name` boots now. Throws when the image is unknown or has no current version. */
  resolve(name: string): Promise<VmImage>;
  /** A build took a VM of this image (recorded as the version's last use). */
  used(image: VmImage, at: number): Promise<void>;
}

/** Fixed images resolved once (the executor's tests and images without versions). */
export function staticImageSource(images: Record<string, VmImageConfig>, imagesDir: string): ImageSource {
  const resolved = new Map(Object.entries(images).map(([name, config]) => [name, resolveImage(name, config, imagesDir)]));
  return {
    names: () => [...resolved.keys()],
    resolve: async (name) => {
      const image = resolved.get(name);
      if (!image) throw new Error(`this worker has no image "${name}" (it has: ${[...resolved.keys()].join(', ') || 'none'})`);
      return image;
    },
    used: async () => {},
  };
}

export function isVersioned(config: ImageFamilyConfig): boolean {
  return config.build !== undefined || config.version !== undefined;
}

/** The files of one version of a family (relative config paths are relative to the version's directory). */
export function versionImage(name: string, config: ImageFamilyConfig, imagesDir: string, version: string): VmImage {
  const dir = versionDir(imagesDir, name, version);
  const files: VmImageConfig = { arch: config.arch, disk: config.disk ?? 'disk.qcow2', kernel: config.kernel ?? 'kernel', initrd: config.initrd ?? 'initrd.img', ...(config.cmdline ? { cmdline: config.cmdline } : {}) };
  return resolveImage(name, files, dir, version);
}

/** The images of a config: versioned families through their state, the others as configured. */
export function configImageSource(images: Record<string, ImageFamilyConfig>, imagesDir: string): ImageSource {
  const fixed = new Map<string, VmImage>();
  for (const [name, config] of Object.entries(images)) {
    if (isVersioned(config)) continue;
    const files = { arch: config.arch, disk: config.disk as string, kernel: config.kernel as string, initrd: config.initrd as string, ...(config.cmdline ? { cmdline: config.cmdline } : {}) };
    fixed.set(name, resolveImage(name, files, imagesDir));
  }
  return {
    names: () => Object.keys(images),
    async resolve(name) {
      const config = images[name];
      if (!config) throw new Error(`this worker has no image "${name}" (it has: ${Object.keys(images).join(', ') || 'none'})`);
      const image = fixed.get(name);
      if (image) return image;
      const version = config.version ?? (await readFamilyState(imagesDir, name)).current;
      if (!version) throw new Error(`image ${name} has no current version yet: build one with \`gatehouse images build --image ${name}\` (it is verified, then builds use it)`);
      return versionImage(name, config, imagesDir, version);
    },
    async used(image, at) {
      const config = images[image.name];
      if (!config || !isVersioned(config) || !image.version) return;
      const version = image.version;
      await updateFamilyState(imagesDir, image.name, (state) => (state.versions.some((v) => v.name === version) ? markUsed(state, version, at) : state));
    },
  };
}

/** The version directory a disk path lies in, if it is one of this family's. */
export function versionOfDisk(imagesDir: string, family: string, disk: string): string | undefined {
  const relative = path.relative(path.join(imagesDir, family), disk);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const first = relative.split(path.sep)[0];
  return first && first !== relative ? first : undefined;
}
