// The libvirt XML of one build VM. Direct kernel boot, the overlay as a virtio disk, the serial
// console logged to a file, and user-mode networking passed to qemu as raw arguments (libvirt 9's
// own user networking wants passt, which is refused here) with SSH forwarded to 127.0.0.1:port.
// `restrict=on` cuts the guest off from everything but that forward, unless the build asks for network.
// Everything the VM does on its own is fatal: poweroff, reboot and crash all end the domain.

export interface DomainParams {
  name: string;
  arch: 'x86_64' | 'ppc64le' | 'aarch64' | 's390x';
  /** `kvm` on real hosts; `qemu` (TCG) where KVM is absent or cannot run the guest. */
  domainType: 'kvm' | 'qemu';
  memoryMiB: number;
  cpus: number;
  kernel: string;
  initrd: string;
  cmdline: string;
  overlay: string;
  consoleLog: string;
  sshPort: number;
  /** Outbound network for the guest (else restrict=on). */
  network: boolean;
  /** The exact machine type (a snapshot's, e.g. pc-i440fx-7.2); default the architecture's alias (pc, pseries, …). */
  machine?: string;
  /**
   * Start QEMU waiting for its state on this 127.0.0.1 port (`-incoming tcp:…`): a snapshot is
   * streamed in there, and the guest runs as soon as it is loaded.
   */
  incomingPort?: number;
  /**
   * A virtio-serial port (named `channel`) whose host side is a unix socket QEMU listens on at
   * `socket`: the restore agent's line (snapshot/restore-agent.ts). A snapshot's domain and its
   * restores must have it alike, since the device is part of the saved state.
   */
  agent?: { socket: string; channel: string };
}

/** The serial console device the guest kernel writes to, by architecture. */
export function consoleDevice(arch: DomainParams['arch']): string {
  if (arch === 'ppc64le') return 'hvc0';
  if (arch === 'aarch64') return 'ttyAMA0';
  if (arch === 's390x') return 'ttysclp0';
  return 'ttyS0';
}

const MACHINE: Record<DomainParams['arch'], string> = { x86_64: 'pc', ppc64le: 'pseries', aarch64: 'virt', s390x: 's390-ccw-virtio' };

export function domainXml(p: DomainParams): string {
  const netdev = `user,id=n0${p.network ? '' : ',restrict=on'},hostfwd=tcp:127.0.0.1:${p.sshPort}-:22`;
  // A fixed slot, so the raw device never takes the one libvirt picks for the disk. On x86 no
  // option ROM (romfile=): the kernel is booted directly, never from the network, and SeaBIOS ran
  // the NIC's iPXE at every boot. (The ROM is part of a saved state: see SNAPSHOT_FORMAT.)
  const nic = p.arch === 's390x' ? 'virtio-net-ccw,netdev=n0' : `virtio-net-pci,netdev=n0,bus=${p.arch === 'aarch64' ? 'pcie.0' : 'pci.0'},addr=0x10${p.arch === 'x86_64' ? ',romfile=' : ''}`;
  const serialTarget =
    p.arch === 'ppc64le'
      ? `<target type='spapr-vio-serial' port='0'><model name='spapr-vty'/></target><address type='spapr-vio' reg='0x30000000'/>`
      : `<target port='0'/>`;
  const cpu = p.domainType === 'kvm' ? `\n  <cpu mode='host-passthrough'/>` : '';
  // pseries boots through SLOF, which takes many seconds under TCG; QEMU's Virtual Open Firmware
  // (vof.bin) is enough for a direct kernel boot. Merged into libvirt's own -machine option.
  const machineArgs = p.arch === 'ppc64le' ? `\n    <qemu:arg value='-machine'/>\n    <qemu:arg value='x-vof=on'/>` : '';
  // Started, an x86 guest's CPU is read back by libvirt one QOM property at a time when QEMU has
  // `unavailable-features` (~400 QMP round trips: 0.8 s of every x86_64 boot and restore here).
  // Without that capability libvirt reads the same through two properties (feature-words and
  // filtered-features); QEMU's command line is the same either way.
  const capabilities = `\n  <qemu:capabilities>\n    <qemu:del capability='cpu-unavailable-features'/>\n  </qemu:capabilities>`;
  const incomingArgs = p.incomingPort ? `\n    <qemu:arg value='-incoming'/>\n    <qemu:arg value='tcp:127.0.0.1:${int(p.incomingPort)}'/>` : '';
  return `<domain type='${p.domainType}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>${esc(p.name)}</name>
  <memory unit='MiB'>${int(p.memoryMiB)}</memory>
  <vcpu>${int(p.cpus)}</vcpu>
  <os>
    <type arch='${p.arch}' machine='${esc(p.machine ?? MACHINE[p.arch])}'>hvm</type>
    <kernel>${esc(p.kernel)}</kernel>
    <initrd>${esc(p.initrd)}</initrd>
    <cmdline>${esc(p.cmdline)}</cmdline>
  </os>${cpu}
  <features>${p.arch === 'x86_64' ? '<acpi/>' : ''}</features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='unsafe' discard='unmap'/>
      <source file='${esc(p.overlay)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'>
      <log file='${esc(p.consoleLog)}' append='off'/>
      ${serialTarget}
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
${p.agent ? `    <channel type='unix'><source mode='bind' path='${esc(p.agent.socket)}'/><target type='virtio' name='${esc(p.agent.channel)}'/></channel>\n` : ''}    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='none'/>
  </devices>${capabilities}
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='${esc(netdev)}'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='${esc(nic)}'/>${machineArgs}${incomingArgs}
  </qemu:commandline>
</domain>
`;
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

function int(n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${n}`);
  return n;
}
