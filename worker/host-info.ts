// What a worker announces about itself in `hello`: its architecture in the names images use, and
// the gatehouse version it runs.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node's names (x64, ppc64, arm64) in the names of distributions and images. */
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', s390x: 's390x' };

export function hostArch(nodeArch: string = os.arch(), endianness: 'BE' | 'LE' = os.endianness()): string {
  if (nodeArch === 'ppc64') return endianness === 'LE' ? 'ppc64le' : 'ppc64';
  return ARCH[nodeArch] ?? nodeArch;
}

/** The version in gatehouse's package.json, found upward from this file (it sits at another depth once built). */
export function packageVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gatehouse' && pkg.version) return pkg.version;
    } catch {
      // not here: look one level up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
