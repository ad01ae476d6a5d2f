// What a worker tells the master about its images (hello, and an `images` message after a change),
// and what `gatehouse images list` prints: per image, its current version and every version's state.
import type { ImageFamilyReport } from '../../shared/protocol.js';
import { type ImageFamilyConfig, isVersioned } from './image-source.js';
import { readFamilyState } from './image-store.js';
import { resolveImage } from '../executor/vm/vm-image.js';

export async function imageReport(images: Record<string, ImageFamilyConfig>, imagesDir: string): Promise<ImageFamilyReport[]> {
  const out: ImageFamilyReport[] = [];
  for (const [image, config] of Object.entries(images)) {
    if (!isVersioned(config)) {
      const fixed = resolveImage(image, { arch: config.arch, disk: config.disk ?? '', kernel: config.kernel ?? '', initrd: config.initrd ?? '' }, imagesDir);
      out.push({ image, ...(fixed.version ? { current: fixed.version } : {}), versions: [] });
      continue;
    }
    const state = await readFamilyState(imagesDir, image);
    const current = config.version ?? state.current;
    out.push({
      image,
      ...(current ? { current } : {}),
      versions: state.versions.map((v) => ({
        name: v.name, state: v.state, builtAt: v.builtAt,
        ...(v.verifiedAt ? { verifiedAt: v.verifiedAt } : {}), ...(v.lastUsedAt ? { lastUsedAt: v.lastUsedAt } : {}),
        ...(v.obsoleteAt ? { obsoleteAt: v.obsoleteAt } : {}), ...(v.failure ? { failure: v.failure } : {}),
      })),
    });
  }
  return out;
}

/** `gatehouse images list`: one block per image, one line per version, newest first. */
export function formatImageReport(report: ImageFamilyReport[]): string {
  const lines: string[] = [];
  for (const family of report) {
    lines.push(`${family.image}: current ${family.current ?? '(none)'}`);
    if (family.versions.length === 0) lines.push('  (not versioned: the configured files)');
    for (const v of [...family.versions].reverse()) {
      const mark = v.name === family.current ? '*' : ' ';
      const dates = [`built ${v.builtAt}`, v.verifiedAt ? `verified ${v.verifiedAt}` : '', v.lastUsedAt ? `last used ${v.lastUsedAt}` : 'never used', v.obsoleteAt ? `obsolete since ${v.obsoleteAt}` : ''].filter(Boolean).join(', ');
      lines.push(` ${mark} ${v.name.padEnd(28)} ${v.state.padEnd(9)} ${dates}${v.failure ? `\n      failed: ${v.failure}` : ''}`);
    }
  }
  return lines.join('\n');
}

