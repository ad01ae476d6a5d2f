// Boot one VM and reach it: overlay on the image, a fresh key, a transient domain with SSH forwarded
// to a free 127.0.0.1 port (another port when that one was taken meanwhile), then SSH with a
// deadline. A VM that dies or panics stops the wait at once. Whatever fails, nothing is left behind:
// the domain is destroyed and the overlay and console log deleted, and the error carries the console.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { hostArch } from '../../host-info.js';
import { readConsoleTail, fatalConsoleLine, whenConsoleShows } from './console-log.js';
import { consoleDevice, type DomainParams, domainXml } from './domain-xml.js';
import { isPortInUseError, pickFreePort } from './free-port.js';
import type { Libvirt } from './libvirt.js';
import { FIRST_STEP_KEY, GUEST_STATE, GUEST_USER, GUEST_WORKDIR } from './guest-paths.js';
import { createOverlay, deleteOverlay } from './overlay.js';
import { stepWrapper } from './remote-step.js';
import { generateVmKey, type VmKey } from './ssh-key.js';
import { type PreparedExec, type SshSession, waitForSsh } from './ssh-session.js';
import type { VmImage } from './vm-image.js';

export interface BootRequest {
  /** The domain name (gatehouse-<worker>-…). */
  name: string;
  image: VmImage;
  memoryMiB: number;
  cpus: number;
  network: boolean;
  /** The key put on the kernel command line (a snapshot's, kept on disk); default a fresh one, only in memory. */
  key?: VmKey;
  /** A virtio-serial port for the restore agent (a snapshot's domain and its restores have one); its socket is the caller's to remove. */
  agent?: DomainParams['agent'];
  /** More words for the kernel command line (a snapshot's domain boots with init_on_free=1). */
  kernelArgs?: string;
}

export interface BootContext {
  libvirt: Libvirt;
  /** Overlays and console logs live here. */
  dir: string;
  domainType: 'kvm' | 'qemu';
  /** From domain start to SSH answering. */
  bootTimeoutMs: number;
  signal?: AbortSignal;
}

export interface RunningVm {
  readonly name: string;
  readonly image: VmImage;
  readonly request: BootRequest;
  readonly overlay: string;
  readonly consoleLog: string;
  readonly port: number;
  /** The build's own SSH key (OpenSSH private key), only in memory: what its session logged in with. */
  readonly privateKey: string;
  readonly session: SshSession;
  /** Overlay created → SSH answered, and the domain start → SSH part of it. */
  readonly timings: VmTimings;
  /** Cold-booted, or restored from a memory snapshot. */
  readonly startedFrom: 'boot' | 'snapshot';
  /** The channel opened ahead for the first step (stepWrapper(FIRST_STEP_KEY)); undefined once taken. */
  takeFirstStep(): PreparedExec | undefined;
  /** Destroy the domain, delete overlay and console log. Idempotent. */
  destroy(): Promise<void>;
}

export interface VmTimings {
  totalMs: number;
  toSshMs: number;
  overlayMs: number;
  /** Where a restore's time went, phase by phase in order (ms): shown in the build's header. */
  phases?: Array<[string, number]>;
}

/** A VM that did not come up: the message says why, `console` holds the tail of its console. */
export class VmBootError extends Error {
  constructor(
    message: string,
    readonly console: string,
  ) {
    super(message);
    this.name = 'VmBootError';
  }
}

const PORT_TRIES = 5;

/** systemd's status line on the console once sshd listens (Debian's ssh.service, CentOS's sshd.service). */
const SSHD_STARTED = /Started sshd?\.service/;

export async function bootVm(request: BootRequest, ctx: BootContext): Promise<RunningVm> {
  const started = Date.now();
  const overlay = path.join(ctx.dir, `${request.name}.qcow2`);
  const consoleLog = path.join(ctx.dir, `${request.name}.console.log`);
  const { libvirt } = ctx;
  const removeAll = async () => {
    await libvirt.destroy(request.name).catch(() => {});
    await deleteOverlay(overlay);
    await rm(consoleLog, { force: true });
  };

  await createOverlay(request.image.disk, overlay);
  const overlayMs = Date.now() - started;
  const key = request.key ?? generateVmKey();
  // A guest of another architecture always runs under TCG.
  const domainType = request.image.arch === hostArch() ? ctx.domainType : 'qemu';
  const cmdline = [
    request.image.rootCmdline,
    `console=${consoleDevice(request.image.arch)}`,
    'net.ifnames=0',
    'panic=-1', // a panic reboots, and on_reboot=destroy ends the domain: the wait stops at once
    // Only warnings and worse from the kernel on the serial console: each character is emulated
    // I/O, slow under TCG. (Not `quiet`: systemd's status lines stay, and say when sshd is up.)
    'loglevel=4',
    `gatehouse.key=${key.publicBlob}`,
    request.image.cmdline ?? '',
    request.kernelArgs ?? '',
  ].join(' ').trim();

  let port = 0;
  const domainStarted = Date.now();
  try {
    ({ ssh: port } = await createOnFreePorts((xml) => libvirt.createTransient(xml), ['ssh'], ({ ssh: sshPort }) => domainXml({ name: request.name, arch: request.image.arch, domainType, memoryMiB: request.memoryMiB, cpus: request.cpus, kernel: request.image.kernel, initrd: request.image.initrd, cmdline, overlay, consoleLog, sshPort, network: request.network, agent: request.agent })));
  } catch (error) {
    await removeAll();
    throw new VmBootError(`cannot start VM ${request.name}: ${(error as Error).message}`, '');
  }

  let session: SshSession | undefined;
  let firstStep: PreparedExec | undefined;
  const stopWatching = new AbortController();
  try {
    session = await waitForSsh(
      { port, username: GUEST_USER, privateKey: key.privateKey, hostKeys: request.image.hostKeys },
      {
        deadline: domainStarted + ctx.bootTimeoutMs,
        signal: ctx.signal ?? new AbortController().signal,
        check: vmWatch(libvirt, request.name, consoleLog),
        retryNow: whenConsoleShows(consoleLog, SSHD_STARTED, stopWatching.signal),
      },
    );
    stopWatching.abort();
    firstStep = await prepareGuest(session);
  } catch (error) {
    stopWatching.abort();
    session?.close();
    const consoleText = await readConsoleTail(consoleLog);
    await removeAll();
    const seconds = ((Date.now() - domainStarted) / 1000).toFixed(1);
    throw new VmBootError(`VM ${request.name} (${request.image.name}) did not come up after ${seconds}s: ${(error as Error).message}`, consoleText);
  }
  const done = Date.now();
  return runningVm({ request, overlay, consoleLog, port, privateKey: key.privateKey, session, firstStep, libvirt, removeAll, startedFrom: 'boot', timings: { totalMs: done - started, toSshMs: done - domainStarted, overlayMs } });
}

/**
 * Start (`create`) the transient domain `xmlFor` describes on ports free on 127.0.0.1, one per name (its SSH
 * forward, …); when QEMU finds one taken meanwhile, again on other ports. The ports it runs on.
 */
export async function createOnFreePorts<Name extends string>(create: (xml: string) => Promise<void>, names: readonly Name[], xmlFor: (ports: Record<Name, number>) => string): Promise<Record<Name, number>> {
  for (let attempt = 1; ; attempt++) {
    const ports = {} as Record<Name, number>;
    const taken = new Set<number>();
    for (const name of names) {
      let port = await pickFreePort();
      while (taken.has(port)) port = await pickFreePort();
      taken.add(port);
      ports[name] = port;
    }
    try {
      await create(xmlFor(ports));
      return ports;
    } catch (error) {
      if (attempt >= PORT_TRIES || !isPortInUseError((error as Error).message)) throw error;
    }
  }
}

/** For waitForSsh: stops the wait once the guest kernel panicked or the domain is gone (checked at most once a second). */
export function vmWatch(libvirt: Libvirt, name: string, consoleLog: string): () => Promise<string | undefined> {
  let lastCheck = 0;
  return async () => {
    if (Date.now() - lastCheck < 1000) return undefined;
    lastCheck = Date.now();
    const fatal = fatalConsoleLine(await readConsoleTail(consoleLog, 4096));
    if (fatal) return `the guest kernel panicked: ${fatal}`;
    if (!(await libvirt.listRunning()).includes(name)) return 'the VM stopped while booting';
    return undefined;
  };
}

/** The work and state directories, SFTP opened now (so the first step does not wait for sftp-server), and the first step's channel. */
export async function prepareGuest(session: SshSession): Promise<PreparedExec> {
  // At once: the first step's channel (its wrapper reaches for the directories only once it is
  // fed its script) and SFTP, which makes the directories without a process of their own (a
  // shell's mkdir and chmod were three processes, each slow to start under TCG).
  const firstStep = session.prepareExec(stepWrapper(FIRST_STEP_KEY));
  await Promise.all([session.makeDir(GUEST_WORKDIR, 0o755), session.makeDir(GUEST_STATE, 0o700)]);
  return firstStep;
}

export interface RunningVmParts {
  request: BootRequest;
  overlay: string;
  consoleLog: string;
  port: number;
  privateKey: string;
  session: SshSession;
  firstStep: PreparedExec;
  libvirt: Libvirt;
  /** Destroy the domain (gone is fine) and delete overlay and console log. */
  removeAll: () => Promise<void>;
  startedFrom: RunningVm['startedFrom'];
  timings: RunningVm['timings'];
}

/** The handle on a VM that answers SSH, however it started. */
export function runningVm(parts: RunningVmParts): RunningVm {
  const { request, session: ssh, libvirt, removeAll } = parts;
  let firstStep: PreparedExec | undefined = parts.firstStep;
  let destroyed: Promise<void> | undefined;
  return {
    name: request.name,
    image: request.image,
    request,
    overlay: parts.overlay,
    consoleLog: parts.consoleLog,
    port: parts.port,
    privateKey: parts.privateKey,
    session: ssh,
    timings: parts.timings,
    startedFrom: parts.startedFrom,
    takeFirstStep() {
      const taken = firstStep;
      firstStep = undefined;
      return taken;
    },
    destroy() {
      destroyed ??= (async () => {
        ssh.close();
        await libvirt.destroy(request.name); // a real failure throws: the overlay stays for the next start's sweep
        await removeAll();
      })();
      return destroyed;
    },
  };
}
