// libvirtd caches what it probed of each QEMU binary, and probes again (two QEMU runs and hundreds
// of QMP queries: 35 s for x86_64 on this 2-core machine) when the cache no longer matches the
// host. One thing it compares is whether /dev/kvm is usable: libvirtd, as root, can open a
// root-only /dev/kvm, but the QEMU it probes with runs as QEMU's user and cannot. The cache then
// says "no KVM", libvirtd finds KVM usable, and it probes again before every domain start, TCG
// domains included. udev makes /dev/kvm root:kvm 0660; a host without udev (a container) can have
// it root:root 0600. Seen here: `virsh create` of an x86_64 domain took 35.8 s, 0.31 s once fixed.
import { statSync } from 'node:fs';

/** Why domain starts will be slow because of /dev/kvm's mode, or undefined (no such device, or QEMU's group can use it). */
export function kvmDeviceWarning(device = '/dev/kvm'): string | undefined {
  let stat;
  try {
    stat = statSync(device);
  } catch {
    return undefined;
  }
  if (!stat.isCharacterDevice() || kvmModeUsable(stat.mode, stat.gid)) return undefined;
  return `${device} is mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')} (owner ${stat.uid}, group ${stat.gid}): QEMU, which libvirtd runs as its own user, cannot open it, so libvirtd probes QEMU again before every domain start (tens of seconds each for x86_64). udev would make it root:kvm 0660; without udev, run: chgrp kvm ${device} && chmod 0660 ${device}`;
}

/**
 * Whether a /dev/kvm of this mode and group can be opened read-write by QEMU's user: through its
 * group (kvm, which QEMU's user is in; not root's group 0), or by anyone.
 */
export function kvmModeUsable(mode: number, gid: number): boolean {
  return (mode & 0o006) === 0o006 || ((mode & 0o060) === 0o060 && gid !== 0);
}

/** Whether a libvirt URI names this host's libvirtd (qemu:///system, qemu+unix:///system), whose /dev/kvm is ours to check. */
export function isLocalUri(uri: string): boolean {
  return /^[a-z0-9+]+:\/\/\//i.test(uri);
}
