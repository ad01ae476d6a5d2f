// The VM executor's pure parts, checked without a VM: the domain XML (network restricted unless
// asked, SSH only on 127.0.0.1, the console per architecture), the name grammar that keeps one
// worker's sweep off another's domains, step scripts that no value can break out of.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirePrerequisite } from '../../support/require-prerequisite.js';
import { domainXml, type DomainParams } from '../../../worker/executor/vm/domain-xml.js';
import { buildDomainName, isOwnDomain, poolDomainName, verifyDomainName } from '../../../worker/executor/vm/leftovers.js';
import { stepScript } from '../../../worker/executor/vm/remote-step.js';
import { guestPath } from '../../../worker/executor/vm/guest-files.js';

const params: DomainParams = { name: 'gatehouse-w1-b7-1', arch: 'x86_64', domainType: 'qemu', memoryMiB: 2048, cpus: 2, kernel: '/img/kernel', initrd: '/img/initrd.img', cmdline: "root=/dev/vda rw x='<&>'", overlay: '/var/o.qcow2', consoleLog: '/var/c.log', sshPort: 40022, network: false };

describe('domain XML', () => {
  it('forwards SSH on 127.0.0.1 only and restricts the guest unless the build asks for network', () => {
    expect(domainXml(params)).toContain("value='user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22'");
    expect(domainXml({ ...params, network: true })).toContain("value='user,id=n0,hostfwd=tcp:127.0.0.1:40022-:22'");
    expect(domainXml(params)).toContain('root=/dev/vda rw x=&apos;&lt;&amp;&gt;&apos;');
    expect(domainXml(params)).toContain("<type arch='x86_64' machine='pc'>hvm</type>");
  });

  it('gives the x86_64 NIC no option ROM (SeaBIOS would run its iPXE at every boot)', () => {
    expect(domainXml(params)).toContain("value='virtio-net-pci,netdev=n0,bus=pci.0,addr=0x10,romfile='");
    expect(domainXml({ ...params, arch: 'ppc64le' })).not.toContain('romfile');
  });

  it("has libvirt read a started guest's CPU in two QMP calls, not one per CPU feature (~400 on x86_64)", () => {
    expect(domainXml(params)).toContain("<qemu:del capability='cpu-unavailable-features'/>");
  });

  it('uses pseries with VOF and the spapr console for ppc64le, host-passthrough only under kvm', () => {
    const ppc = domainXml({ ...params, arch: 'ppc64le' });
    expect(ppc).toContain("machine='pseries'");
    expect(ppc).toContain("<target type='spapr-vio-serial' port='0'>");
    expect(ppc).toContain("<qemu:arg value='x-vof=on'/>"); // SLOF takes many seconds under TCG
    expect(ppc).not.toContain('<cpu');
    expect(domainXml({ ...params, domainType: 'kvm' })).toContain("<domain type='kvm'");
    expect(domainXml({ ...params, domainType: 'kvm' })).toContain("<cpu mode='host-passthrough'/>");
  });

  it('has QEMU wait for a snapshot on a 127.0.0.1 port only when asked', () => {
    expect(domainXml({ ...params, incomingPort: 40023 })).toContain("<qemu:arg value='-incoming'/>\n    <qemu:arg value='tcp:127.0.0.1:40023'/>");
    expect(domainXml(params)).not.toContain('-incoming');
  });

  it('validates against libvirt’s schema (virt-xml-validate and xmllint: libvirt-clients, libxml2-utils)', (ctx) => {
    const tools = spawnSync('xmllint', ['--version']).error === undefined && spawnSync('virt-xml-validate', ['--help']).error === undefined;
    if (!requirePrerequisite('the libvirt schema check', tools ? undefined : 'virt-xml-validate or xmllint is not installed (libvirt-clients, libxml2-utils; .ci/run installs them)')) return ctx.skip();
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-xml-'));
    try {
      for (const arch of ['x86_64', 'ppc64le'] as const) {
        writeFileSync(path.join(dir, `${arch}.xml`), domainXml({ ...params, arch }));
        execFileSync('virt-xml-validate', [path.join(dir, `${arch}.xml`), 'domain'], { stdio: ['ignore', 'ignore', 'pipe'] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('names', () => {
  it('sweeps only this worker’s domains, even when another worker’s name starts with it', () => {
    expect(isOwnDomain('w1', buildDomainName('w1', 7, 1))).toBe(true);
    expect(isOwnDomain('w1', poolDomainName('w1', 3))).toBe(true);
    expect(isOwnDomain('w1', verifyDomainName('w1', 2))).toBe(true);
    expect(isOwnDomain('w1', verifyDomainName('w1-v2', 1))).toBe(false);
    expect(isOwnDomain('w1', buildDomainName('w1-b5', 7, 1))).toBe(false);
    expect(isOwnDomain('w1', poolDomainName('w1-p2', 1))).toBe(false);
    expect(isOwnDomain('w1', 'gatehouse-w1-something')).toBe(false);
  });
});

describe('step scripts and paths', () => {
  it('quotes every value, drops names that are not variables, and keeps the command in run_cmd', () => {
    const script = stepScript(`echo "A=$A"; echo 'hi'`, { A: "it's $(rm -rf /)", 'BAD-NAME': 'x' });
    expect(script).toContain(`export A='it'\\''s $(rm -rf /)'`);
    expect(script).not.toContain('BAD-NAME');
    // What the wrapper in the guest does with it (stepWrapper), minus setsid and the work directory.
    const out = execFileSync('bash', ['-c', `IFS= read -r -d '' script; eval "$script"; bash -eo pipefail -c "$run_cmd"`], { input: script, encoding: 'utf8' });
    expect(out).toBe("A=it's $(rm -rf /)\nhi\n");
  });

  it('keeps uploads inside the work directory', () => {
    expect(guestPath('ci/run.sh')).toBe('/home/ci/build/ci/run.sh');
    expect(guestPath('a/../b')).toBe('/home/ci/build/b');
    expect(guestPath('../etc/passwd')).toBeUndefined();
    expect(guestPath('/etc/passwd')).toBeUndefined();
    expect(guestPath('.')).toBeUndefined();
  });
});
