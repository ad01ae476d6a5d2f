// `gatehouse doctor` against real parts: the GitHub stand-in (every request and answer checked
// against GitHub's OpenAPI description), a bare git repository as the logs remote, the smee relay
// stand-in, libvirt's test driver, image files on disk and a real port. First everything passes;
// then each check is made to fail once, and only that check (and what depends on it) changes.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../cli/doctor/run-doctor.js';
import { doctorExitCode, type CheckResult } from '../../../cli/doctor/doctor-check.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { startSmeeRelay, type SmeeRelay } from '../../support/smee-relay.js';
import { createBareRepo } from '../../support/bare-git-repo.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { mountSmallDisk } from '../../support/small-disk.js';
import { charDeviceMissing, makeCharDevice } from '../../support/char-device.js';
import { requirePrerequisite } from '../../support/require-prerequisite.js';

const CLI = path.resolve('dist/cli/main.js');
const ENV = { GH_TOKEN: 'good-token', WEBHOOK_SECRET: 'hook-secret', WORKER_SECRET: 'worker-secret' };
const hasVirsh = requirePrerequisite('doctor libvirt check', spawnSync('virsh', ['-c', 'test:///default', 'version']).status === 0 ? undefined : 'virsh (libvirt-clients) is not installed');
const canMknod = requirePrerequisite('doctor /dev/kvm mode check', charDeviceMissing());

let tmp: ReturnType<typeof makeTempDir>;
let github: GitHubStandIn;
let smee: SmeeRelay;
let channel: string;
let port: number;
let kvmDevice: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

type Json = Record<string, unknown>;
function baseConfig(): Json {
  return {
    dataDir: path.join(tmp.path, 'data'),
    http: { port, host: '127.0.0.1' },
    github: { repo: 'acme/widget', token: { env: 'GH_TOKEN' }, webhookSecret: { env: 'WEBHOOK_SECRET' }, apiUrl: github.url, reconcileInterval: 0 },
    smee: { url: channel },
    logs: { remote: path.join(tmp.path, 'logs.git'), branch: 'ci-logs', webUrl: 'https://logs.example.com/acme/ci-logs' },
    workers: [{ name: 'local', secret: { env: 'WORKER_SECRET' } }],
    vm: { libvirtUri: 'test:///default', domainType: 'kvm', imagesDir: path.join(tmp.path, 'images') },
    images: { debian: { arch: 'x86_64', disk: 'debian/disk.qcow2', kernel: 'debian/kernel', initrd: 'debian/initrd.img' } },
    builders: [{ name: 'gate', vm: { image: 'debian' }, steps: [{ name: 'test', run: 'true' }] }],
  };
}

let n = 0;
async function doctor(change: (c: Json) => void = () => {}, env: Record<string, string> = ENV): Promise<CheckResult[]> {
  const config = baseConfig();
  change(config);
  const file = path.join(tmp.path, `config-${++n}.json`);
  writeFileSync(file, JSON.stringify(config));
  return runDoctor({ configFile: file, env, kvmDevice });
}

const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));
const notOk = (results: CheckResult[]) => results.filter((r) => r.status !== 'ok').map((r) => r.name).sort();
const github_ = (c: Json) => c.github as Json;

beforeAll(async () => {
  tmp = makeTempDir('gatehouse-doctor-');
  smee = await startSmeeRelay({ pingIntervalMs: 0 });
  channel = smee.newChannel();
  const events = ['pull_request', 'issue_comment', 'push'];
  github = await startGitHubStandIn({
    tokens: ['good-token'],
    repos: {
      'acme/widget': { hooks: [{ url: 'https://example.com/other-hook', events: ['push'] }, { url: channel, events }] },
      'acme/readonly': { tokenPermission: 'read' },
      'acme/nohook': { hooks: [{ url: 'https://example.com/other-hook' }] },
      'acme/formhook': { hooks: [{ url: channel, contentType: 'form', events: ['push'], secret: false }] },
    },
  });
  createBareRepo(tmp.path, 'logs.git');
  port = await freePort();
  kvmDevice = path.join(tmp.path, 'kvm');
  writeFileSync(kvmDevice, '');
  mkdirSync(path.join(tmp.path, 'images/debian'), { recursive: true });
  for (const f of ['disk.qcow2', 'kernel', 'initrd.img']) writeFileSync(path.join(tmp.path, 'images/debian', f), '');
});

afterAll(async () => {
  await github?.close();
  await smee?.close();
  tmp?.remove();
});

describe.skipIf(!hasVirsh)('gatehouse doctor', () => {
  it('passes every check on a complete installation, and exits 0', async () => {
    const results = await doctor();
    expect(results.filter((r) => r.status !== 'ok'), JSON.stringify(results, null, 2)).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      'config', 'secrets', 'github: repository', 'github: pull requests', 'github: statuses', 'github: webhook', 'status links',
      'logs branch', 'smee channel', 'libvirt', 'kvm', 'image debian', 'disk', 'port',
    ]);
    expect(doctorExitCode(results)).toBe(0);
    expect(github.requests.map((r) => r.operationId)).toEqual(expect.arrayContaining(['repos/get', 'pulls/list', 'repos/list-commit-statuses-for-ref', 'repos/list-webhooks']));
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('names the config key that is wrong, and stops there', async () => {
    const results = await doctor((c) => (github_(c).repo = 'not a repo'));
    expect(results.map((r) => r.status)).toEqual(['fail']);
    expect(results[0]?.detail).toContain('github.repo');
  });

  it('names a secret the environment lacks', async () => {
    const results = await doctor(undefined, { ...ENV, GH_TOKEN: '' });
    expect(byName(results).secrets?.status).toBe('fail');
    expect(byName(results).secrets?.detail).toContain('GH_TOKEN');
    expect(doctorExitCode(results)).toBe(2);
  });

  it('a token GitHub refuses fails the repository check with 401', async () => {
    const results = await doctor(undefined, { ...ENV, GH_TOKEN: 'expired-token' });
    expect(notOk(results)).toEqual(['github: repository']);
    expect(byName(results)['github: repository']?.detail).toContain('401');
    expect(byName(results)['github: repository']?.fix).toContain('token');
  });

  it('a read-only token cannot create statuses, and may not read the hooks (a warning, checked by hand)', async () => {
    const results = await doctor((c) => (github_(c).repo = 'acme/readonly'));
    expect(notOk(results)).toEqual(['github: statuses', 'github: webhook']);
    expect(byName(results)['github: statuses']?.detail).toContain('not create commit statuses');
    expect(byName(results)['github: webhook']?.status).toBe('warn');
    expect(byName(results)['github: webhook']?.fix).toContain('application/json');
  });

  it('GitHub failing on the pull requests or statuses read fails that check, and only that one', async () => {
    github.failNext('GET', '/repos/{owner}/{repo}/pulls', { status: 502 }, 1);
    const pulls = await doctor();
    expect(notOk(pulls)).toEqual(['github: pull requests']);
    expect(byName(pulls)['github: pull requests']?.detail).toContain('502');
    github.failNext('GET', '/repos/{owner}/{repo}/commits/{ref}/statuses', { status: 503 }, 1);
    const statuses = await doctor();
    expect(notOk(statuses)).toEqual(['github: statuses']);
    expect(byName(statuses)['github: statuses']?.fix).toContain('Commit statuses');
  });

  it('a repository without a webhook to this CI fails, listing the hooks it has', async () => {
    const results = await doctor((c) => (github_(c).repo = 'acme/nohook'));
    expect(notOk(results)).toEqual(['github: webhook']);
    expect(byName(results)['github: webhook']?.detail).toContain(`no webhook to ${channel}`);
    expect(byName(results)['github: webhook']?.detail).toContain('https://example.com/other-hook');
  });

  it('a webhook with form content, no secret and missing events fails with each problem', async () => {
    const detail = byName(await doctor((c) => (github_(c).repo = 'acme/formhook')))['github: webhook']?.detail ?? '';
    expect(detail).toContain('content type is form');
    expect(detail).toContain('no secret is set');
    expect(detail).toContain('does not send pull_request, issue_comment');
  });

  it('a logs remote it cannot push to fails', async () => {
    const results = await doctor((c) => ((c.logs as Json).remote = path.join(tmp.path, 'missing.git')));
    expect(notOk(results)).toEqual(['logs branch']);
    expect(byName(results)['logs branch']?.detail).toContain('cannot push');
  });

  it('no logs web page and no public URL: statuses have no Details link (a warning)', async () => {
    const results = await doctor((c) => ((c.logs as Json).webUrl = undefined));
    expect(notOk(results)).toEqual(['status links']);
    expect(byName(results)['status links']?.status).toBe('warn');
    expect(doctorExitCode(results)).toBe(1);
  });

  it('an unreachable smee channel fails', async () => {
    const results = await doctor((c) => (c.smee = { url: `http://127.0.0.1:${port}/gone` }));
    // The hook now points elsewhere than smee.url, which the webhook check says too.
    expect(notOk(results)).toEqual(['github: webhook', 'smee channel']);
    expect(byName(results)['smee channel']?.detail).toContain('cannot reach');
  });

  it('a libvirt that does not answer fails; a missing KVM device fails when vm.domainType is kvm', async () => {
    const libvirt = await doctor((c) => ((c.vm as Json).libvirtUri = `qemu+unix:///system?socket=${tmp.path}/no-such.sock`));
    expect(notOk(libvirt)).toEqual(['libvirt']);
    const saved = kvmDevice;
    kvmDevice = path.join(tmp.path, 'no-kvm');
    try {
      const kvm = await doctor();
      expect(notOk(kvm)).toEqual(['kvm']);
      expect(byName(kvm).kvm?.status).toBe('fail');
      const tcg = await doctor((c) => ((c.vm as Json).domainType = 'qemu'));
      expect(byName(tcg).kvm?.status).toBe('warn');
      expect(byName(tcg).kvm?.detail).toContain('TCG');
    } finally {
      kvmDevice = saved;
    }
  });

  it.runIf(canMknod)('warns when QEMU\'s user could not open a local /dev/kvm (libvirtd would probe QEMU before every start)', async () => {
    const saved = kvmDevice;
    kvmDevice = path.join(tmp.path, 'kvm-0600');
    makeCharDevice(kvmDevice);
    chmodSync(kvmDevice, 0o600);
    try {
      const local = await doctor((c) => ((c.vm as Json).libvirtUri = 'qemu:///system'));
      expect(byName(local)['kvm device mode']?.status).toBe('warn');
      expect(byName(local)['kvm device mode']?.detail).toContain('chmod 0660');
      chmodSync(kvmDevice, 0o660);
      chownSync(kvmDevice, 0, 65534);
      expect(byName(await doctor((c) => ((c.vm as Json).libvirtUri = 'qemu:///system')))['kvm device mode']).toBeUndefined();
    } finally {
      kvmDevice = saved;
    }
  });

  it('a missing image fails with how to build it', async () => {
    const results = await doctor((c) => ((c.images as Record<string, Json>).debian = { arch: 'x86_64', disk: 'absent/disk.qcow2', kernel: 'absent/kernel', initrd: 'absent/initrd.img' }));
    expect(notOk(results)).toEqual(['image debian']);
    expect(byName(results)['image debian']?.fix).toContain('vm-image/build.sh --arch x86_64');
  });

  it('a port something else listens on fails', async () => {
    // Accepts connections and never answers, as a foreign service would to an HTTP request.
    const sockets = new Set<Socket>();
    const squatter: Server = createServer((socket) => sockets.add(socket)).listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const results = await doctor();
      expect(notOk(results)).toEqual(['port']);
      expect(byName(results).port?.detail).toContain('in use by something else');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('a data disk with less than 1 GiB free fails', async () => {
    const dir = path.join(tmp.path, 'small');
    const disk = mountSmallDisk('doctor disk check', dir, '16m');
    if (!disk) return;
    try {
      const results = await doctor((c) => (c.dataDir = path.join(dir, 'data')));
      expect(notOk(results)).toEqual(['disk']);
      expect(byName(results).disk?.detail).toMatch(/GiB free of 0\.0 GiB/);
    } finally {
      disk.unmount();
    }
  });

  it('the CLI prints one line per check and exits 0, 1 or 2', async () => {
    const file = path.join(tmp.path, 'cli.json');
    const config = baseConfig();
    // With TCG, the real /dev/kvm gives a warning whether or not it is usable here: exit 1.
    (config.vm as Json).domainType = 'qemu';
    writeFileSync(file, JSON.stringify(config));
    // Asynchronously: the GitHub stand-in answers from this process.
    const run = (env: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'doctor', '--config', file], { env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const good = await run(ENV);
    expect(good.status, good.stdout + good.stderr).toBe(1);
    expect(good.stdout).toMatch(/^warn  kvm: /m);
    expect(good.stdout).toMatch(/^ok {4}github: repository: acme\/widget is visible to the token/m);
    const bad = await run({ ...ENV, GH_TOKEN: 'expired-token' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(/^FAIL {2}github: repository: GitHub answered 401/m);
    expect(bad.stdout).toContain('fix: the token is wrong or expired');
  });
});
