// Make an image's memory snapshot for one VM shape: boot it once in a domain of its own with a key
// made for the snapshot (kept 0600 beside it), wait until SSH answers with that key, warm up what
// a restore runs first, then `virsh save` (memory and device state; the domain stops) and keep the
// overlay as it was at that moment, read-only. All of it is made in `<dir>.making-<worker>` and
// renamed into place at the end, so a half-made snapshot is never read, and of two workers making
// the same one, the first to finish wins and the other's is dropped.
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BootContext, bootVm } from '../boot-vm.js';
import { GUEST_USER } from '../guest-paths.js';
import { runVirsh } from '../libvirt-virsh.js';
import { shellQuote } from '../remote-step.js';
import { waitForSsh } from '../ssh-session.js';
import { generateVmKey } from '../ssh-key.js';
import type { VmImage } from '../vm-image.js';
import { agentSocket, authorizedKeyLine, SNAPSHOT_KEYS_DIR, startAgentCommand } from './restore-agent.js';
import { readSaveFileHeader } from './save-file.js';
import { makingDir, readSnapshot, SNAPSHOT_FILES, SNAPSHOT_FORMAT, type Snapshot, snapshotDir, type SnapshotManifest, type VmShape } from './snapshot-store.js';

// A ppc64le guest saved the moment its SSH session closed never answered SSH after a restore (x86_64 did);
// saved 3 s later it does, restored by virsh or by restore-vm.ts alike.
const SETTLE_MS = 3000;

/**
 * The saved state holds every page of guest memory that is not zero. So the guest boots with
 * init_on_free=1 (a freed page is zeroed), and right before the save its page cache is dropped
 * (DROP_CACHES); then one SSH connection like a restore's first (sshd's per-connection process, the
 * AuthorizedKeysCommand, bash, setsid, sftp-server, and the tools of the SSH make-own fallback)
 * reads back what a restore needs (WARM_UP). (Dropping the cache without init_on_free left the
 * state as large, 164 MB of 1 GiB: freed pages kept their contents.)
 */
const KERNEL_ARGS = 'init_on_free=1';
const DROP_CACHES = `sudo sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'`;
const WARM_UP = `sudo sh -c 'sed -n 1p /proc/cmdline > /dev/null; date > /dev/null; mount --version > /dev/null; command -v perl > /dev/null && perl -e 1; setsid true'; bash -c 'setsid bash -c true'`;

/**
 * What every SSH connection to a restored guest costs, made smaller in the snapshot's guest (its
 * overlay and running sshd keep it; the image is unchanged). Each process it saves starts from a
 * cold translation cache under TCG, on the way to the first step:
 * - sshd reads the CI user's key from a file (SNAPSHOT_KEYS_DIR/<user>, which the restore agent
 *   rewrites) instead of running the image's AuthorizedKeysCommand, a shell, twice per login (the
 *   key query and the signed request). Its drop-in sorts first, and sshd keeps a keyword's first
 *   value. sshd is reloaded for it before the save: its listener was in the snapshot already, and
 *   each connection's process is still a fresh exec (sshd re-execs per connection), seeded after
 *   the restore agent reseeded the guest's generator.
 * - PAM sessions go without Debian's pam_motd, which runs run-parts over /etc/update-motd.d (a
 *   shell, uname) for a message a command session never shows. sshd reads PAM's files per connection.
 * Images from today's vm-image/ have both already (the same key file, written by their initramfs);
 * this is for images made before and by other means, and changes nothing in the others.
 */
export function leanerSshCommand(snapshotKeyBlob: string): string {
  const script = [
    'set -e',
    `mkdir -p ${SNAPSHOT_KEYS_DIR}`,
    `chmod 755 ${path.posix.dirname(SNAPSHOT_KEYS_DIR)} ${SNAPSHOT_KEYS_DIR}`,
    `echo '${authorizedKeyLine(snapshotKeyBlob)}' > ${SNAPSHOT_KEYS_DIR}/${GUEST_USER}`,
    `chmod 644 ${SNAPSHOT_KEYS_DIR}/${GUEST_USER}`,
    `printf '%s\\n' '# gatehouse snapshot: the key from a file the restore agent writes' 'AuthorizedKeysFile ${SNAPSHOT_KEYS_DIR}/%u' 'AuthorizedKeysCommand none' > /etc/ssh/sshd_config.d/00-gatehouse-snapshot.conf`,
    `sed -i 's/^\\(session[[:space:]].*pam_motd\\.so.*\\)$/# gatehouse snapshot: \\1/' /etc/pam.d/sshd`,
    'systemctl reload ssh.service',
  ].join('\n');
  return `sudo sh -c ${shellQuote(script)}`;
}

export interface MakeSnapshotRequest {
  /** The domain that boots it (gatehouse-<worker>-s<n>). */
  name: string;
  worker: string;
  image: VmImage;
  shape: VmShape;
  /** `virsh version` now (hypervisorVersion). */
  hypervisor: string;
}

/** `ctx.dir`: the worker's VM directory (the agent's socket is there); the rest is made in the snapshot's own. */
export async function makeSnapshot(request: MakeSnapshotRequest, ctx: BootContext): Promise<Snapshot> {
  const { image, shape } = request;
  const dir = snapshotDir(image, shape);
  const making = makingDir(dir, request.worker);
  await rm(making, { recursive: true, force: true });
  await mkdir(making, { recursive: true, mode: 0o755 });
  await chmod(path.dirname(making), 0o755); // qemu (libvirt-qemu) reads the disk through it
  try {
    const key = generateVmKey();
    await writeFile(path.join(making, SNAPSHOT_FILES.key), key.privateKey, { mode: 0o600 });
    const agent = await agentSocket(ctx.dir, request.name);
    const vm = await bootVm({ name: request.name, image, memoryMiB: shape.memoryMiB, cpus: shape.cpus, network: shape.network, key, agent, kernelArgs: KERNEL_ARGS }, { ...ctx, dir: making }).catch(async (error: unknown) => {
      await agent.remove();
      throw error;
    });
    const stateFile = path.join(making, SNAPSHOT_FILES.state);
    let restoreAgent = false;
    try {
      // Without its agent (an architecture it does not know, a guest without the port) a restore
      // makes the guest the build's own over SSH instead.
      const startAgent = startAgentCommand(image.arch);
      if (startAgent) restoreAgent = (await vm.session.exec(startAgent)).code === 0;
      await vm.session.run(leanerSshCommand(key.publicBlob));
      await vm.session.run(DROP_CACHES);
      vm.session.close();
      // The reloaded sshd listens again within moments.
      const warmUp = await waitForSsh({ port: vm.port, username: GUEST_USER, privateKey: key.privateKey, hostKeys: image.hostKeys }, { deadline: Date.now() + 30_000, signal: ctx.signal ?? new AbortController().signal });
      try {
        await Promise.all([warmUp.run(WARM_UP), warmUp.sftp()]);
      } finally {
        warmUp.close(); // no SSH connection is saved with the guest
      }
      await new Promise((r) => setTimeout(r, SETTLE_MS)); // its sshd processes end, and boot-time jobs settle
      await runVirsh(ctx.libvirt.uri, ['save', request.name, stateFile]);
    } catch (error) {
      await vm.destroy().catch(() => {});
      throw error;
    } finally {
      await agent.remove();
    }
    const header = await readSaveFileHeader(stateFile);
    await rename(vm.overlay, path.join(making, SNAPSHOT_FILES.disk));
    await chmod(path.join(making, SNAPSHOT_FILES.disk), 0o444);
    await rm(vm.consoleLog, { force: true });
    const disk = await stat(image.disk);
    const manifest: SnapshotManifest = {
      format: SNAPSHOT_FORMAT,
      image: image.name,
      ...(image.version ? { version: image.version } : {}),
      arch: image.arch,
      machine: header.machine,
      domainType: header.domainType,
      hypervisor: request.hypervisor,
      memoryMiB: shape.memoryMiB,
      cpus: shape.cpus,
      network: shape.network,
      cmdline: header.cmdline,
      restoreAgent,
      imageDisk: { path: image.disk, size: disk.size, mtimeMs: disk.mtimeMs },
      createdAt: new Date().toISOString(),
    };
    await writeFile(path.join(making, SNAPSHOT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      await rename(making, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      await rm(making, { recursive: true, force: true }); // another worker's snapshot got there first
    }
  } catch (error) {
    await rm(making, { recursive: true, force: true });
    throw error;
  }
  const snapshot = await readSnapshot(dir);
  if (!snapshot) throw new Error(`the snapshot in ${dir} vanished right after it was made`);
  return snapshot;
}

/** libvirtd's and QEMU's versions, as `virsh version` tells them: a snapshot is only restored by the ones that saved it. */
export async function hypervisorVersion(uri: string): Promise<string> {
  const out = await runVirsh(uri, ['version', '--daemon']);
  return out.split('\n').map((l) => l.trim()).filter((l) => /^Running (hypervisor|against daemon):/.test(l)).join('; ');
}
