// The worker's warning about a /dev/kvm QEMU's user cannot open (libvirtd then probes QEMU again
// before every domain start): checked against real device nodes, made with mknod in a temp dir.
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalUri, kvmDeviceWarning, kvmModeUsable } from '../../../worker/executor/vm/kvm-device.js';
import { charDeviceMissing, makeCharDevice } from '../../support/char-device.js';
import { requirePrerequisite } from '../../support/require-prerequisite.js';

const canMknod = requirePrerequisite('the /dev/kvm mode test', charDeviceMissing());

describe('kvmDeviceWarning', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(canMknod)('warns for a character device only its owner can open, with the fix, and not once the group can', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-kvm-'));
    dirs.push(dir);
    const device = path.join(dir, 'kvm');
    makeCharDevice(device);
    chmodSync(device, 0o600);
    const warning = kvmDeviceWarning(device);
    expect(warning).toContain(`${device} is mode 0600`);
    expect(warning).toContain(`chgrp kvm ${device} && chmod 0660 ${device}`);
    chmodSync(device, 0o660); // its group may use it now, but the group is root's
    expect(kvmDeviceWarning(device)).toContain('is mode 0660');
    chownSync(device, 0, 65534); // as udev leaves it: a group of its own (kvm)
    expect(kvmDeviceWarning(device)).toBeUndefined();
  });

  it('says nothing without a device, or for a file that is not one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-kvm-'));
    dirs.push(dir);
    expect(kvmDeviceWarning(path.join(dir, 'absent'))).toBeUndefined();
    writeFileSync(path.join(dir, 'file'), '');
    chmodSync(path.join(dir, 'file'), 0o600);
    expect(kvmDeviceWarning(path.join(dir, 'file'))).toBeUndefined();
  });

  it('counts a mode usable when a group other than root\'s, or everyone, can read and write it', () => {
    const kvmGroup = 107;
    expect(kvmModeUsable(0o20660, kvmGroup)).toBe(true);
    expect(kvmModeUsable(0o20666, 0)).toBe(true);
    expect(kvmModeUsable(0o20600, kvmGroup)).toBe(false);
    expect(kvmModeUsable(0o20640, kvmGroup)).toBe(false);
    expect(kvmModeUsable(0o20604, kvmGroup)).toBe(false);
    expect(kvmModeUsable(0o20660, 0)).toBe(false); // root's group: QEMU's user is not in it
  });

  it('checks only a libvirtd on this host', () => {
    expect(isLocalUri('qemu:///system')).toBe(true);
    expect(isLocalUri('qemu+unix:///system')).toBe(true);
    expect(isLocalUri('qemu+ssh://ci@ppc-host/system')).toBe(false);
    expect(isLocalUri('qemu+tcp://10.0.0.2/system')).toBe(false);
  });
});
