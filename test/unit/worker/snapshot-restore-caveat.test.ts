// The warning a worker gives once when it is about to restore guests its QEMU cannot restore
// reliably: ppc64le under TCG before QEMU 8.2 (the pseries decrementer is not carried over).
import { describe, expect, it } from 'vitest';
import { restoreCaveat } from '../../../worker/executor/vm/snapshot/snapshots.js';

const debian12 = 'Running against daemon: 9.0.0; Running hypervisor: QEMU 7.2.22';

describe('restoreCaveat', () => {
  it('warns for ppc64le under TCG on QEMU 7.2, naming the version and the way out', () => {
    const caveat = restoreCaveat('ppc64le', 'qemu', debian12);
    expect(caveat).toContain('QEMU 8.2 or later (this host has 7.2)');
    expect(caveat).toContain("vm.restore 'boot'");
  });

  it('says nothing from QEMU 8.2 on, under KVM, for x86_64, or when the version is unknown', () => {
    expect(restoreCaveat('ppc64le', 'qemu', 'Running hypervisor: QEMU 8.2.0')).toBeUndefined();
    expect(restoreCaveat('ppc64le', 'qemu', 'Running hypervisor: QEMU 10.0.3')).toBeUndefined();
    expect(restoreCaveat('ppc64le', 'kvm', debian12)).toBeUndefined();
    expect(restoreCaveat('x86_64', 'qemu', debian12)).toBeUndefined();
    expect(restoreCaveat('ppc64le', 'qemu', 'Running hypervisor: something else')).toBeUndefined();
  });

  it('still warns for 8.1', () => {
    expect(restoreCaveat('ppc64le', 'qemu', 'Running hypervisor: QEMU 8.1.5')).toContain('this host has 8.1');
  });
});
