// The image builder's scripts: shellcheck-clean (all of them, the centos-stream path included,
// which cannot run here), and a dry run that prints the plan without touching anything. The
// builds themselves run in .ci/run (debootstrap from the Debian mirror), not in tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const scripts = readdirSync('vm-image').filter((f) => f.endsWith('.sh')).map((f) => `vm-image/${f}`);

describe('vm-image scripts', () => {
  it('pass shellcheck', () => {
    expect(scripts).toEqual(expect.arrayContaining(['vm-image/build.sh', 'vm-image/debian.sh', 'vm-image/centos-stream.sh', 'vm-image/common.sh']));
    const result = spawnSync('shellcheck', ['-x', ...scripts, 'vm-image/guest/gatehouse-authorized-keys', 'vm-image/guest/gatehouse-busybox-image', 'vm-image/guest/initramfs-init', 'vm-image/guest/initramfs-hook'], { encoding: 'utf8' });
    if (result.error) throw new Error(`shellcheck is not installed (apt-get install shellcheck; .ci/run does): ${result.error.message}`);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['debian', 'x86_64', /debootstrap --foreign --arch=amd64 --variant=minbase .*linux-image-cloud-amd64[\s\S]*--second-stage/],
    ['debian', 'ppc64le', /debootstrap --foreign --arch=ppc64el --variant=minbase .*linux-image-powerpc64le[\s\S]*--second-stage/],
    ['centos-stream', 'ppc64le', /CentOS-Stream-GenericCloud-9-latest\.ppc64le\.qcow2.*\n.*virt-customize|sha256sum -c[\s\S]*virt-customize/],
  ])('--dry-run prints the %s %s plan and builds nothing', (distro, arch, plan) => {
    const result = spawnSync('vm-image/build.sh', ['--distro', distro, '--arch', arch, '--out', '/nonexistent/gatehouse-dry-run', '--dry-run'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(plan);
    expect(result.stderr).toMatch(/recipe [0-9a-f]{16}/);
    expect(existsSync('/nonexistent/gatehouse-dry-run')).toBe(false);
  });

  it('refuses an unknown option with the usage', () => {
    const result = spawnSync('vm-image/build.sh', ['--frobnicate'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown option --frobnicate');
    expect(result.stderr).toContain('--distro debian|centos-stream');
  });
});
