// Where an image version's memory snapshots live and what one is: a directory beside the image's
// disk, `<version>/snapshot/<disk>-<memory>m-<cpus>c[-net]/`, holding the saved state (state.sav),
// the disk as it was at save time (disk.qcow2, read-only: the backing file of each restored build's
// overlay), the key the guest booted with (key, 0600) and manifest.json. Living in the version's
// directory, a snapshot is pruned with its version. One snapshot per VM shape, since memory size,
// vCPUs and the network device are part of the saved state.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { VmImage } from '../vm-image.js';

export interface VmShape {
  memoryMiB: number;
  cpus: number;
  network: boolean;
}

/**
 * What the worker puts in a snapshot's guest before the save, as a number: a snapshot of another
 * format is made again. 2: sshd reads the build key from a file, and the ppc64le agent sets the clock
 * (format 1's called clock_gettime). 3: the x86_64 NIC has no option ROM (domain-xml.ts), a device
 * change that a state saved with the ROM cannot be loaded into. 4: the restore agent waits for its
 * port's SIGIO, not a timer (format 3's never answered in a ppc64le guest restored without a timer).
 * 5: the agent has each CPU's timer reprogrammed (a ppc64le guest restored by QEMU 7.2 can lose it).
 */
export const SNAPSHOT_FORMAT = 5;

export interface SnapshotManifest {
  /** SNAPSHOT_FORMAT when it was made (absent: format 1). */
  format?: number;
  image: string;
  version?: string;
  arch: VmImage['arch'];
  /** The resolved machine type the state was saved from. */
  machine: string;
  domainType: 'kvm' | 'qemu';
  /** `virsh version` of the libvirtd and QEMU that saved it: another version may not load the state. */
  hypervisor: string;
  memoryMiB: number;
  cpus: number;
  network: boolean;
  /** The kernel command line the guest booted with (the snapshot key on it). */
  cmdline: string;
  /**
   * Whether the restore agent runs in the saved guest (restore-agent.ts). Every snapshot's domain has
   * the agent's port, whether or not the agent started; one made before the port existed lacks it.
   */
  restoreAgent: boolean;
  /** The image disk the snapshot's disk is backed by, and its size and mtime: a rebuilt disk voids the snapshot. */
  imageDisk: { path: string; size: number; mtimeMs: number };
  createdAt: string;
}

export interface Snapshot {
  dir: string;
  stateFile: string;
  disk: string;
  manifest: SnapshotManifest;
  /** The snapshot key (OpenSSH private key): only good for the first session after a restore. */
  privateKey: string;
}

export const SNAPSHOT_FILES = { state: 'state.sav', disk: 'disk.qcow2', key: 'key', manifest: 'manifest.json' } as const;

export function snapshotDir(image: VmImage, shape: VmShape): string {
  const disk = path.basename(image.disk).replace(/\.qcow2$/, '');
  return path.join(snapshotsDir(image), `${disk}-${shape.memoryMiB}m-${shape.cpus}c${shape.network ? '-net' : ''}`);
}

function snapshotsDir(image: VmImage): string {
  return path.join(path.dirname(image.disk), 'snapshot');
}

/** Where `worker` makes the snapshot that goes to `dir` (renamed into place once complete). */
export function makingDir(dir: string, worker: string): string {
  return `${dir}.making-${worker}`;
}

/**
 * Delete the snapshots of `image` that `worker` was making when it stopped (a crash, a kill): at
 * worker start, when none is being made. Other workers' are theirs to sweep. The paths deleted.
 */
export async function removeHalfMadeSnapshots(image: VmImage, worker: string): Promise<string[]> {
  const dir = snapshotsDir(image);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const halfMade = names.filter((name) => name.endsWith(makingDir('', worker))).map((name) => path.join(dir, name));
  for (const making of halfMade) await rm(making, { recursive: true, force: true });
  return halfMade;
}

/** The snapshot in `dir`, or undefined when there is none (or only part of one). */
export async function readSnapshot(dir: string): Promise<Snapshot | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, SNAPSHOT_FILES.manifest), 'utf8')) as SnapshotManifest;
    const privateKey = await readFile(path.join(dir, SNAPSHOT_FILES.key), 'utf8');
    return { dir, stateFile: path.join(dir, SNAPSHOT_FILES.state), disk: path.join(dir, SNAPSHOT_FILES.disk), manifest, privateKey };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Why this snapshot cannot serve `image` on this host any more; undefined when it can. */
export async function staleReason(snapshot: Snapshot, image: VmImage, hypervisor: string): Promise<string | undefined> {
  const m = snapshot.manifest;
  if (m.hypervisor !== hypervisor) return `it was saved by another libvirt/QEMU (${m.hypervisor}; now ${hypervisor})`;
  if (m.restoreAgent === undefined) return 'it was saved without the restore agent\'s port';
  if ((m.format ?? 1) !== SNAPSHOT_FORMAT) return `it was made by another gatehouse (format ${m.format ?? 1}; now ${SNAPSHOT_FORMAT})`;
  if (m.arch !== image.arch) return `it is of another architecture (${m.arch})`;
  const disk = await stat(image.disk);
  if (m.imageDisk.path !== image.disk || m.imageDisk.size !== disk.size || m.imageDisk.mtimeMs !== disk.mtimeMs) return 'the image disk changed since it was saved';
  return undefined;
}

export async function deleteSnapshot(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
