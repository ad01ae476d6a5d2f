// Issue 15: cold boot → first step output, per architecture (TCG here), the median of a few runs and
// where the time went, host side and guest side. The host times the build's start, libvirt's
// create call (until QEMU runs) and the first step's output; the guest tells, from its own clock
// (zero at kernel start): when the kernel ran /init (dmesg), when systemd started and ssh.service
// became active (systemctl show), when sshd accepted the key (journal), and the first step's
// /proc/uptime. Firmware is what remains between QEMU running and the guest clock's zero. The bench
// build has no source, so no upload phase is reported here (vm.bench.ts times a checkout's upload
// into restored guests).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { BuildSpec, StepSpec } from '../shared/protocol.js';
import type { Libvirt } from '../worker/executor/vm/libvirt.js';
import type { VmExecutor } from '../worker/executor/vm/vm-executor.js';
import { BENCH_VM_ENGINE as ENGINE } from './bench-config.js';
import { ms, percentile, type BenchResult } from './stats.js';

const RUNS = 3;
const TARGET_S = 10;
const TICKS_PER_S = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these

export interface ColdBootParts {
  /** An executor (cold boot only) on this libvirt connection. */
  executor(libvirt: Libvirt): VmExecutor;
  build(buildId: number, steps: StepSpec[]): BuildSpec;
  step(id: string, name: string, run: string): StepSpec;
  /** Runs the build; `onFirstOutput` is called when step 0 first prints; returns stdout per step. */
  timedBuild(exec: VmExecutor, build: BuildSpec, onFirstOutput: () => void): Promise<{ firstOutput: number; out: Record<string, string> }>;
}

/** One run's phases, in seconds, in boot order; they add up to `total`. */
interface Phases {
  total: number;
  beforeDomain: number;
  domainStart: number;
  firmware: number;
  kernel: number;
  initramfs: number;
  systemdToSsh: number;
  sshToAuth: number;
  authToStep: number;
  /** Not phases: systemd's "boot finished" after its start, QEMU's CPU seconds until the output, the load. */
  systemdFinished: number;
  qemuCpu: number;
  load: number;
}

// What the second step prints: the guest's own timestamps (µs since kernel start, or seconds).
const ANALYZE = [
  'sudo dmesg | grep "Run /init"',
  'sudo systemctl show -p UserspaceTimestampMonotonic -p FinishTimestampMonotonic',
  'sudo systemctl show -p ActiveEnterTimestampMonotonic ssh.service',
  'sudo journalctl -o short-monotonic --no-pager | grep "Accepted publickey"',
].join('; ');

export async function benchColdBoot(arch: string, libvirt: Libvirt, parts: ColdBootParts): Promise<BenchResult[]> {
  const runs: Phases[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await coldBootOnce(arch, libvirt, parts, 100 + i);
    console.log(`cold boot ${arch} run ${i + 1}: ${Object.entries(run).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    runs.push(run);
  }
  const med = (pick: (p: Phases) => number) => ms(percentile(runs.map(pick), 50));
  const total = med((p) => p.total);
  const row = (what: string, pick: (p: Phases) => number): BenchResult => ({ name: `  ${what} (${arch})`, value: med(pick), unit: 's' });
  return [
    { name: `cold boot → first step output, ${arch} (${ENGINE}) p50 of ${RUNS}`, value: total, unit: 's', target: `≤ ${TARGET_S}`, ok: total <= TARGET_S },
    row('overlay, key, domain XML', (p) => p.beforeDomain),
    row('domain define/start (until QEMU runs)', (p) => p.domainStart),
    row('firmware (QEMU runs → kernel clock 0)', (p) => p.firmware),
    row('kernel (→ /init)', (p) => p.kernel),
    row('initramfs (→ systemd)', (p) => p.initramfs),
    row('systemd → ssh.service active', (p) => p.systemdToSsh),
    row('sshd active → key accepted', (p) => p.sshToAuth),
    row('key accepted → first step output', (p) => p.authToStep),
    row('  (systemd: boot finished)', (p) => p.systemdFinished),
    row('  (QEMU CPU seconds until first output)', (p) => p.qemuCpu),
    { name: `  (load average, 1 min, ${arch})`, value: med((p) => p.load), unit: '' },
  ];
}

async function coldBootOnce(arch: string, libvirt: Libvirt, parts: ColdBootParts, buildId: number): Promise<Phases> {
  let created = { start: NaN, end: NaN, name: '' };
  let qemuCpu = NaN;
  // libvirt as the executor sees it, with its create call timed.
  const timed: Libvirt = {
    kind: libvirt.kind,
    uri: libvirt.uri,
    resume: (name) => libvirt.resume(name),
    destroy: (name) => libvirt.destroy(name),
    listRunning: () => libvirt.listRunning(),
    async createTransient(xml, options) {
      const start = performance.now();
      await libvirt.createTransient(xml, options);
      created = { start, end: performance.now(), name: /<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? '' };
    },
    close: async () => {}, // the caller's connection
  };
  const exec = parts.executor(timed);
  try {
    await exec.ready;
    const t0 = performance.now();
    const { firstOutput, out } = await parts.timedBuild(
      exec,
      parts.build(buildId, [parts.step('0', 'first', 'cat /proc/uptime'), parts.step('1', 'analyze', ANALYZE)]),
      () => (qemuCpu = qemuCpuSeconds(created.name)),
    );
    const guest = parseGuestTimes(out['0'] ?? '', out['1'] ?? '');
    const outputAt = (t0 + firstOutput) / 1000;
    const kernelZero = outputAt - guest.firstStep; // host time of the guest clock's zero
    return {
      total: firstOutput / 1000,
      beforeDomain: (created.start - t0) / 1000,
      domainStart: (created.end - created.start) / 1000,
      firmware: kernelZero - created.end / 1000,
      kernel: guest.runInit,
      initramfs: guest.systemd - guest.runInit,
      systemdToSsh: guest.sshActive - guest.systemd,
      sshToAuth: guest.accepted - guest.sshActive,
      authToStep: guest.firstStep - guest.accepted,
      systemdFinished: guest.finished - guest.systemd,
      qemuCpu,
      load: os.loadavg()[0] as number,
    };
  } finally {
    await exec.close();
  }
}

/** The guest's timestamps, seconds since its kernel started. */
export function parseGuestTimes(first: string, analyze: string): { runInit: number; systemd: number; finished: number; sshActive: number; accepted: number; firstStep: number } {
  const micro = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(analyze)?.[1]) / 1e6;
  return {
    runInit: Number(/\[\s*([\d.]+)\][^\n]*Run \/init/.exec(analyze)?.[1]),
    systemd: micro('UserspaceTimestampMonotonic'),
    finished: micro('FinishTimestampMonotonic'),
    sshActive: micro('ActiveEnterTimestampMonotonic'),
    accepted: Number(/\[\s*([\d.]+)\][^\n]*Accepted publickey/.exec(analyze)?.[1]),
    firstStep: Number(/^([\d.]+)/.exec(first.trim())?.[1]),
  };
}

/** utime + stime of the domain's QEMU process, or NaN when it cannot be read. */
function qemuCpuSeconds(domain: string): number {
  try {
    const pid = readFileSync(`/run/libvirt/qemu/${domain}.pid`, 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // fields 14 and 15 of stat(5)
  } catch {
    return NaN;
  }
}
