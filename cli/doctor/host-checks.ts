// This host's side of `gatehouse doctor`: the logs remote, the smee channel, libvirt and KVM, the
// images the builders boot, the data directory's free space, and the master's port.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config, LogsLocationConfig } from '../../shared/config.js';
import { askpassEnv, checkRemote, remoteWantsToken } from '../../master/logs-branch/git-askpass.js';
import { createGitRunner } from '../../shared/run-git.js';
import { imageReport } from '../../worker/images/image-report.js';
import { isVersioned } from '../../worker/images/image-source.js';
import { resolveImage } from '../../worker/executor/vm/vm-image.js';
import { isLocalUri, kvmDeviceWarning } from '../../worker/executor/vm/kvm-device.js';
import { ok, warn, fail, type CheckResult } from './doctor-check.js';
import { repositoryOf } from '../../master/repos/repository-of.js';
import { logsLocations } from '../../master/logs-branch/logs-locations.js';

const GiB = 1024 ** 3;

/** Can the master push to each logs location: a `git push --dry-run` of a throwaway commit, with the master's credentials. */
export async function logsChecks(config: Config, secrets: readonly string[]): Promise<CheckResult[]> {
  const locations = logsLocations(config);
  if (locations.length === 0) return [warn('logs branch', 'no logs section: build logs stay on this host, and statuses link to the UI only when http.publicUrl is set', 'add logs: { remote, branch } so logs are published where GitHub users can read them')];
  const results: CheckResult[] = [];
  for (const location of locations) results.push(await logsPushCheck(config, location, secrets, locations.length > 1 ? `logs branch (${location.repos.join(', ') || 'repositories no longer served'})` : 'logs branch'));
  return results;
}

async function logsPushCheck(config: Config, logs: LogsLocationConfig, secrets: readonly string[], name: string): Promise<CheckResult> {
  try {
    checkRemote(logs.remote);
  } catch (error) {
    return fail(name, (error as Error).message);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-doctor-'));
  try {
    const token = remoteWantsToken(logs.remote) ? config.github.token : undefined;
    const git = createGitRunner({ dir, env: { GIT_AUTHOR_NAME: 'gatehouse', GIT_AUTHOR_EMAIL: 'gatehouse@localhost', GIT_COMMITTER_NAME: 'gatehouse', GIT_COMMITTER_EMAIL: 'gatehouse@localhost', ...askpassEnv(path.join(dir, '.askpass'), token) }, secrets, timeoutMs: 30_000 });
    await git.run(['init', '-q', '.']);
    await git.run(['commit', '-q', '--allow-empty', '-m', 'gatehouse doctor: push check (never pushed)']);
    // --dry-run still makes git authenticate and ask the remote for push access, and sends nothing.
    await git.run(['push', '--dry-run', '--porcelain', logs.remote, `HEAD:refs/heads/${logs.branch}-gatehouse-doctor`]);
    return ok(name, `${logs.remote} accepts a push (checked with git push --dry-run; branch ${logs.branch})`);
  } catch (error) {
    const detail = (error as Error).message.split('\n').filter(Boolean).slice(0, 3).join(' ');
    return fail(name, `cannot push to ${logs.remote}: ${detail}`, remoteWantsToken(logs.remote) ? 'github.token needs Contents: write on the logs repository' : 'check that the gatehouse user can write to that remote');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The smee channel answers (an event stream; only its headers are waited for). */
export async function smeeCheck(config: Config): Promise<CheckResult | undefined> {
  if (!config.smee) return undefined;
  const url = config.smee.url;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    await response.body?.cancel();
    return response.ok ? ok('smee channel', `${url} answers`) : fail('smee channel', `${url} answered ${response.status}`, 'create a channel at https://smee.io/new and put its URL in smee.url');
  } catch (error) {
    return fail('smee channel', `cannot reach ${url}: ${(error as Error).message}`, "check this host's outbound HTTPS access");
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

function run(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({ code, out: `${stdout}${stderr}`.trim() });
    });
  });
}

/** libvirt reachable, KVM usable, and every image the VM builders boot present. */
export async function vmChecks(config: Config, options: { kvmDevice?: string } = {}): Promise<CheckResult[]> {
  if (!config.builders.some((b) => b.executor === 'vm')) return [];
  const results: CheckResult[] = [];
  const uri = config.vm.libvirtUri;
  const virsh = await run('virsh', ['-c', uri, 'version']);
  if (virsh.code === 0) results.push(ok('libvirt', `${uri} answers`));
  else if (virsh.code === 127) results.push(fail('libvirt', 'virsh is not installed', 'install libvirt (setup-host.sh does)'));
  else results.push(fail('libvirt', `${uri}: ${virsh.out.split('\n')[0] ?? `exit ${virsh.code}`}`, 'start libvirtd (systemctl start libvirtd) and put this user in the libvirt group'));

  const kvm = options.kvmDevice ?? '/dev/kvm';
  let kvmUsable = false;
  try {
    accessSync(kvm, constants.R_OK | constants.W_OK);
    kvmUsable = true;
  } catch {
    // absent or not ours: TCG
  }
  if (config.vm.domainType === 'kvm' && !kvmUsable) results.push(fail('kvm', `vm.domainType is kvm but ${kvm} is not usable by this user`, 'enable virtualization in the firmware and add the user to the kvm group, or set vm.domainType: "qemu"'));
  else if (!kvmUsable) results.push(warn('kvm', `${kvm} is not usable: VMs run under TCG emulation, many times slower`, 'on a production host enable KVM and set vm.domainType: "kvm"'));
  else if (config.vm.domainType !== 'kvm') results.push(warn('kvm', `${kvm} is usable but vm.domainType is "qemu" (TCG)`, 'set vm.domainType: "kvm" for native speed'));
  else results.push(ok('kvm', `${kvm} usable`));
  const kvmMode = isLocalUri(uri) ? kvmDeviceWarning(kvm) : undefined;
  if (kvmMode) results.push(warn('kvm device mode', kvmMode));

  const imagesDir = path.resolve(config.dataDir, config.vm.imagesDir);
  const wanted = new Set(config.builders.flatMap((b) => (b.vm ? [b.vm.image] : [])));
  const report = await imageReport(Object.fromEntries(Object.entries(config.images).filter(([name]) => wanted.has(name))), imagesDir);
  for (const family of report) {
    const image = config.images[family.image];
    if (!image) continue;
    const name = `image ${family.image}`;
    const hint = `gatehouse images build --config <file> --image ${family.image}`;
    if (isVersioned(image)) {
      const current = family.versions.find((v) => v.name === family.current);
      if (!current) results.push(fail(name, 'no current version (never built, or none verified)', `build one: ${hint}`));
      else results.push(ok(name, `current ${current.name} (${current.state}${current.verifiedAt ? `, verified ${current.verifiedAt}` : ''})`));
      continue;
    }
    const files = resolveImage(family.image, { arch: image.arch, disk: image.disk ?? '', kernel: image.kernel ?? '', initrd: image.initrd ?? '' }, imagesDir);
    const missing = [files.disk, files.kernel, files.initrd].filter((f) => !existsSync(f));
    if (missing.length > 0) results.push(fail(name, `missing ${missing.join(', ')}`, `build it with vm-image/build.sh --arch ${image.arch} --out ${path.dirname(files.disk)} (with the --with/--packages the builders need), or give it a build section and run ${hint}`));
    else results.push(ok(name, `${files.disk}${files.version ? ` (${files.version})` : ''}${files.hostKeys.length ? '' : '; no manifest, so its SSH host key is not checked'}`));
  }
  return results;
}

/** Free space where the database, logs and artifacts go. */
export function diskCheck(config: Config): CheckResult {
  let dir = config.dataDir;
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const total = fs.blocks * fs.bsize;
  const text = `${(free / GiB).toFixed(1)} GiB free of ${(total / GiB).toFixed(1)} GiB at ${dir}`;
  if (free < GiB) return fail('disk', text, 'free space or move dataDir: below 1 GiB the master answers webhooks 503 as soon as the disk fills');
  if (free / total < 0.1) return warn('disk', text, 'less than 10% free: set logs.keepDays lower or free space');
  return ok('disk', text);
}

/** The master's port is free, or a gatehouse master already answers there. */
export async function portCheck(config: Config): Promise<CheckResult> {
  const { port, host } = config.http;
  const free = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
  if (!free) return ok('port', `${host}:${port} is free`);
  if (free.code !== 'EADDRINUSE') return fail('port', `cannot listen on ${host}:${port}: ${free.message}`);
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const info = await fetch(`http://${local.includes(':') ? `[${local}]` : local}:${port}/api/v2/ui/info`, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.json() as Promise<{ repo?: unknown }>)
    .catch(() => undefined);
  if (info?.repo === repositoryOf(config).repo) return ok('port', `${host}:${port}: this CI's master already runs there`);
  return fail('port', `${host}:${port} is in use by something else`, 'stop it, or choose another port with http.port (or --port)');
}
