// The VM executor as a worker's config describes it: the `images` and `vm` sections, with overlays
// and console logs under the worker's own directory. A config without images gives no VM executor.
import path from 'node:path';
import type { Config } from '../../../shared/config.js';
import type { Logger } from '../../../shared/logger.js';
import type { SourceCache } from '../../source-cache.js';
import { configImageSource } from '../../images/image-source.js';
import { createVmExecutor, type VmExecutor } from './vm-executor.js';

export type VmConfig = Pick<Config, 'dataDir' | 'images' | 'vm'>;

export function vmExecutorFromConfig(config: VmConfig, worker: string, root: string, parts: { sourceCache: SourceCache; logger: Logger }): VmExecutor | undefined {
  if (Object.keys(config.images).length === 0) return undefined;
  const { vm } = config;
  const imagesDir = imagesDirOf(config);
  return createVmExecutor({
    worker,
    images: {},
    imageSource: configImageSource(config.images, imagesDir),
    imagesDir,
    dir: path.join(root, 'vm'),
    workRoot: path.join(root, 'work'),
    sourceCache: parts.sourceCache,
    libvirtUri: vm.libvirtUri,
    domainType: vm.domainType,
    bootTimeoutMs: vm.bootTimeout,
    restore: vm.restore,
    warmPool: Object.entries(vm.warmPool).map(([image, entry]) => (typeof entry === 'number' ? { image, size: entry } : { image, ...entry })),
    logger: parts.logger,
  });
}

/** Where relative image paths point, and where image families keep their versions. */
export function imagesDirOf(config: Pick<Config, 'dataDir' | 'vm'>): string {
  return path.resolve(config.dataDir, config.vm.imagesDir);
}

/** The architectures a worker can run with these images, besides its own (TCG runs any of them). */
export function imageArches(config: Pick<Config, 'images'>): string[] {
  return [...new Set(Object.values(config.images).map((image) => image.arch))];
}
