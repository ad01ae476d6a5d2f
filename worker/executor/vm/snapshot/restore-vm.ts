// Start a build's VM from a memory snapshot instead of booting it. libvirt's own restore keeps the
// saved domain's UUID and so refuses a second restore of the same file while the first runs; this
// starts a transient domain of its own instead (own name, UUID, overlay backed by the snapshot's
// disk, console log, SSH port, restore agent socket) with QEMU waiting for its state on a 127.0.0.1
// TCP port (`-incoming tcp:`), streams the QEMU part of the save file in, and resumes the guest once
// it is loaded. (`exec:` URIs crash QEMU under libvirt's seccomp sandbox; QEMU 7.2 has no `file:` URI.)
// Every restored guest is the same guest, so right after it is made this build's own: only the
// build's key opens SSH from then on, the clock is the host's, and the kernel's random generator is
// reseeded with host randomness. The restore agent in the guest does that over its virtio-serial
// port (restore-agent.ts), and SSH opens with the build's key; without an agent that answers, the
// first SSH session (the snapshot key's) does it and stays the build's. Whatever fails, nothing is
// left behind.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BootContext, type BootRequest, createOnFreePorts, type RunningVm, runningVm, VmBootError, vmWatch } from '../boot-vm.js';
import { readConsoleTail } from '../console-log.js';
import { domainXml } from '../domain-xml.js';
import { FIRST_STEP_KEY, GUEST_USER } from '../guest-paths.js';
import { createOverlay, deleteOverlay } from '../overlay.js';
import { stepWrapper } from '../remote-step.js';
import { generateVmKey } from '../ssh-key.js';
import { type SshSession, waitForSsh } from '../ssh-session.js';
import { agentSocket, authorizedKeyLine, SNAPSHOT_KEYS_DIR, tellAgent } from './restore-agent.js';
import { readSaveFileHeader } from './save-file.js';
import type { Snapshot } from './snapshot-store.js';

/** The snapshot itself could not be restored (not the build's fault): the caller deletes it and cold-boots. */
export class SnapshotRestoreError extends VmBootError {
  override name = 'SnapshotRestoreError';
}

const STATE_TIMEOUT_MS = 60_000;
/**
 * The agent answers in a few tenths of a second (x86_64 and ppc64le); past this the restore goes on
 * over SSH. QEMU 7.2's TCG does not carry the ppc decrementer over a migration (QEMU 8.2 does): a
 * restored ppc64le guest gets no timer interrupt until its kernel reprograms the decrementer, and
 * when its next timer event was due before that, it never does. Seen in such a guest: DEC far
 * below zero and falling, the vCPU spinning in pseries' snooze_loop, no sleep in the guest ending.
 * Its devices' interrupts still wake tasks, so the agent waits for its port's SIGIO, and then has
 * the kernel program each CPU's timer anew (restore-agent.ts): without that, some such guests (3 of
 * 20 snapshots made here, every restore of each) never answered SSH; with it, 34 of 34 did.
 */
const AGENT_TIMEOUT_MS = 3000;
/**
 * Once the agent has answered, SSH follows within a second or two (3–4 s under the CI's load); a
 * guest that still does not answer it after this is broken (before the agent reprogrammed the
 * timers: one left without a timer), and waiting the full minute for it only delays the cold boot.
 */
const SSH_AFTER_AGENT_MS = 15_000;

export async function restoreVm(request: BootRequest, snapshot: Snapshot, ctx: BootContext): Promise<RunningVm> {
  const started = Date.now();
  const overlay = path.join(ctx.dir, `${request.name}.qcow2`);
  const consoleLog = path.join(ctx.dir, `${request.name}.console.log`);
  const { libvirt } = ctx;
  const m = snapshot.manifest;
  const agent = await agentSocket(ctx.dir, request.name);
  const removeAll = async () => {
    await libvirt.destroy(request.name).catch(() => {});
    await deleteOverlay(overlay);
    await rm(consoleLog, { force: true });
    await agent.remove();
  };
  const fail = async (error: unknown, asRestore: boolean): Promise<never> => {
    const consoleText = await readConsoleTail(consoleLog).catch(() => '');
    await removeAll();
    const message = `VM ${request.name} (${request.image.name}) was not restored from its snapshot: ${(error as Error).message}`;
    throw asRestore ? new SnapshotRestoreError(message, consoleText) : new VmBootError(message, consoleText);
  };
  const phases: Array<[string, number]> = [];
  let lapStarted = started;
  const lap = (phase: string) => {
    const now = Date.now();
    phases.push([phase, now - lapStarted]);
    lapStarted = now;
  };

  let port = 0;
  let domainStarted = 0;
  try {
    const [header] = await Promise.all([readSaveFileHeader(snapshot.stateFile), createOverlay(snapshot.disk, overlay)]);
    lap('overlay');
    domainStarted = Date.now();
    const ports = await createOnFreePorts((xml) => libvirt.createTransient(xml, { paused: true }), ['ssh', 'incoming'], ({ ssh, incoming }) =>
      domainXml({ name: request.name, arch: m.arch, domainType: m.domainType, machine: m.machine, memoryMiB: m.memoryMiB, cpus: m.cpus, kernel: request.image.kernel, initrd: request.image.initrd, cmdline: m.cmdline, overlay, consoleLog, sshPort: ssh, network: m.network, incomingPort: incoming, agent }),
    );
    port = ports.ssh;
    lap('domain');
    await streamState(snapshot.stateFile, header.qemuOffset, ports.incoming);
    lap('state');
    // The saved state says "paused" (libvirt pauses a guest to save it), so QEMU stays paused
    // once it has loaded it: it is resumed now. (A QEMU that failed to load it has ended.)
    await libvirt.resume(request.name);
    lap('resume');
  } catch (error) {
    return fail(error, !ctx.signal?.aborted);
  }

  const signal = ctx.signal ?? new AbortController().signal;
  const check = vmWatch(libvirt, request.name, consoleLog);
  // A restored guest answers within seconds; one that does not is a broken snapshot.
  const sshWait = { deadline: domainStarted + Math.min(ctx.bootTimeoutMs, 60_000), signal, check };
  const key = generateVmKey();
  let owned = false;
  if (m.restoreAgent) {
    try {
      await tellAgent(agent.socket, key.publicBlob, AGENT_TIMEOUT_MS);
      owned = true;
      sshWait.deadline = Math.min(sshWait.deadline, Date.now() + SSH_AFTER_AGENT_MS);
      lap('make-own');
    } catch {
      lap('agent failed');
    }
  }
  let session: SshSession;
  try {
    session = await waitForSsh({ port, username: GUEST_USER, hostKeys: request.image.hostKeys, privateKey: owned ? key.privateKey : snapshot.privateKey, onProgress: (event) => lap(event === 'connected' ? 'ssh connect' : 'ssh kex') }, sshWait);
    lap('ssh auth');
  } catch (error) {
    return fail(error, !signal.aborted);
  }
  try {
    // The first step's channel opens now (the step itself runs later). Over the snapshot key's
    // session, makeOwn runs meanwhile (what it changes counts for new connections only), and SFTP
    // opens too. Otherwise SFTP opens when first used (a checkout's upload): a build without one
    // does not wait for sftp-server to start in the guest (seconds under load, on its one vCPU).
    const firstStep = session.prepareExec(stepWrapper(FIRST_STEP_KEY));
    if (!owned) {
      await Promise.all([makeOwn(session, key.publicBlob, m.arch), session.sftp()]);
      lap('make-own');
    }
    const done = Date.now();
    return runningVm({ request, overlay, consoleLog, port, privateKey: key.privateKey, session, firstStep, libvirt, removeAll, startedFrom: 'snapshot', timings: { totalMs: done - started, toSshMs: done - domainStarted, overlayMs: phases[0]?.[1] ?? 0, phases } });
  } catch (error) {
    session.close();
    return fail(error, false);
  }
}

/**
 * Make the restored guest this build's own, in one command. Its clock stands where it was at save
 * time: the guest prints its clock, the host answers with its own at that moment, and the guest
 * moves its clock by the difference (off by the one-way latency of that line, milliseconds).
 */
async function makeOwn(session: SshSession, publicBlob: string, arch: Snapshot['manifest']['arch']): Promise<void> {
  const answer = new PassThrough();
  let out = '';
  let err = '';
  const result = await session.exec(makeOwnScript(publicBlob, arch), {
    stdin: () => answer,
    onStdout: (text) => {
      out += text;
      const line = /^(\d+)\n/.exec(out);
      if (line && !answer.writableEnded) answer.end(`${BigInt(Date.now()) * 1_000_000n}\n`);
    },
    onStderr: (text) => void (err += text),
  });
  answer.end();
  if (result.code !== 0) throw new Error(`making the restored VM the build's own failed (exit ${result.code ?? result.signal}): ${err.trim().slice(-500)}`);
}

/**
 * Run as root in the restored guest. The image's sshd takes the build key from the kernel command
 * line (AuthorizedKeysCommand reading /proc/cmdline), a snapshot's sshd from its key file
 * (make-snapshot.ts): both get the build's key instead, and the snapshot key opens nothing any more.
 * The clock is set from the host's (makeOwn), and host randomness is mixed into the kernel's pool and the
 * generator reseeded from it at once (RNDADDENTROPY, RNDRESEEDCRNG through perl, which every Debian
 * has); without perl the bytes are still mixed in, and the kernel reseeds on its own later.
 */
export function makeOwnScript(publicBlob: string, arch: Snapshot['manifest']['arch']): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(publicBlob)) throw new Error('unexpected characters in the build key');
  const seed = randomBytes(64).toString('hex');
  // _IOW('R', 3, int[2]) and _IO('R', 7): powerpc encodes the direction bits differently.
  const [addEntropy, reseed] = arch === 'ppc64le' ? ['0x80085203', '0x20005207'] : ['0x40085203', '0x5207'];
  const script = [
    'set -e',
    'mkdir -p /run/gatehouse',
    // A file of its own (stacked over the agent's, when the snapshot has one): /proc/cmdline may be that file.
    `sed 's|gatehouse\\.key=[^ ]*|gatehouse.key=${publicBlob}|' /proc/cmdline > /run/gatehouse/cmdline.own`,
    'chmod 644 /run/gatehouse/cmdline.own',
    'mount --bind /run/gatehouse/cmdline.own /proc/cmdline',
    // The snapshot's sshd reads the key from here (make-snapshot.ts).
    `if [ -d ${SNAPSHOT_KEYS_DIR} ]; then echo '${authorizedKeyLine(publicBlob)}' > ${SNAPSHOT_KEYS_DIR}/.${GUEST_USER}; chmod 644 ${SNAPSHOT_KEYS_DIR}/.${GUEST_USER}; mv ${SNAPSHOT_KEYS_DIR}/.${GUEST_USER} ${SNAPSHOT_KEYS_DIR}/${GUEST_USER}; fi`,
    // An agent that did not answer would otherwise go on looking at its port for the whole build.
    'if [ -f /run/gatehouse/agent.pid ]; then kill "$(cat /run/gatehouse/agent.pid)" 2>/dev/null || true; fi',
    'guest=$(date +%s%N)',
    'echo "$guest"',
    'read -r host',
    'now=$(( $(date +%s%N) - guest + host ))',
    'date -s "@$((now / 1000000000)).$(printf %09d $((now % 1000000000)))" > /dev/null',
    `echo ${seed} > /dev/urandom`,
    `if command -v perl > /dev/null; then perl -e 'open(my $f, "+<", "/dev/urandom") or die; my $b = pack("H*", $ARGV[0]); ioctl($f, ${addEntropy}, pack("ii", 8 * length($b), length($b)) . $b) or die "RNDADDENTROPY: $!"; ioctl($f, ${reseed}, 0) or die "RNDRESEEDCRNG: $!"' ${seed}; fi`,
  ].join('\n');
  return `sudo sh -c '${script.replace(/'/g, `'\\''`)}'`;
}

/**
 * Stream the QEMU part of the save file into the QEMU waiting on `port`, and wait until QEMU closes
 * the connection: it does once the state is loaded and its run state set (or the load failed and
 * QEMU ended). No QMP round trips (each one a `virsh qemu-monitor-command` process) to poll it.
 */
async function streamState(file: string, offset: number, port: number): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.resume(); // QEMU sends nothing back; a paused socket would not see its end
    await pipeline(createReadStream(file, { start: offset }), socket, { end: true });
    await Promise.race([closed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('QEMU did not load the saved state in time')), STATE_TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
