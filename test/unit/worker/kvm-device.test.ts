// The worker's warning about a /dev/kvm QEMU's user cannot open (libvirtd then probes QEMU again
// before every domain start): checked against real device nodes, made with mknod in a temp dir.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalUri, kvmDeviceWarning, kvmModeUsable } from '../../../worker/executor/vm/kvm-device.js';
import { requirePrerequisite } from '../../support/require-prerequisite.js';

const asRoot = requirePrerequisite('the /dev/kvm mode test', process.getuid?.() === 0 ? undefined : 'mknod needs root');

describe('kvmDeviceWarning', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(asRoot)('warns for a character device only its owner can open, with the fix, and not once the group can', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-kvm-'));
    dirs.push(dir);
    const device = path.join(dir, 'kvm');
    execFileSync('mknod', [device, 'c', '1', '3']); // a character device (as /dev/null); root makes it
    chmodSync(device, 0o600);
    const warning = kvmDeviceWarning(device);
    expect(warning).toContain(`${device} is mode 0600`);
    expect(warning).toContain(`chgrp kvm ${device} && chmod 0660 ${device}`);
    chmodSync(device, 0o660);
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

  it('counts a mode usable when its group or everyone can read and write it', () => {
    expect(kvmModeUsable(0o20660)).toBe(true);
    expect(kvmModeUsable(0o20666)).toBe(true);
    expect(kvmModeUsable(0o20600)).toBe(false);
    expect(kvmModeUsable(0o20640)).toBe(false);
    expect(kvmModeUsable(0o20604)).toBe(false);
  });

  it('checks only a libvirtd on this host', () => {
    expect(isLocalUri('qemu:///system')).toBe(true);
    expect(isLocalUri('qemu+unix:///system')).toBe(true);
    expect(isLocalUri('qemu+ssh://ci@ppc-host/system')).toBe(false);
    expect(isLocalUri('qemu+tcp://10.0.0.2/system')).toBe(false);
  });
});
