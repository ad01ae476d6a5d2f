// A fresh Debian 12 root for a real setup-host.sh run: a copy of the cached debootstrap root that
// make-debian-root.sh builds (.ci/run does, at install time), with this machine's node >= 20 put
// in /usr/local/bin (Debian 12's own is 18: "a node >= 20 already on PATH" is the case tested) and
// a snapshot of this checkout's built tree at /root/gatehouse (a snapshot, not a bind mount: a
// rebuild of the working tree during the test must not look like a change to the second run).
//
// Commands run through unshare: a private mount namespace (/dev and /proc are mounted there and
// vanish with it, nothing to clean up), a PID namespace (everything started dies with it), and for setup-host
// a network namespace with no interface up: no test reaches the internet, and apt can only
// install from the .deb files the cache already holds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from './run-setup-host.js';

export const CACHE = process.env.GATEHOUSE_TEST_CHROOT_CACHE ?? '/var/cache/gatehouse-test-chroot';
const BASE = path.join(CACHE, 'base');
const MAKE = path.join(REPO, 'test/integration/setup-host/make-debian-root.sh');
/** Where the checkout appears inside the root. */
export const SRC_IN_ROOT = '/root/gatehouse';
const PATH_IN_ROOT = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The same recipe hash as make-debian-root.sh: a cached root made by an older recipe is stale. */
function recipe(): string {
  const text = Buffer.concat([readFileSync(MAKE), readFileSync(path.join(REPO, 'setup-host/os.sh'))]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Why the real run cannot happen here, or undefined when it can. */
export function whyNoDebianRoot(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (chroot, unshare, apt inside the root)';
  for (const tool of ['unshare', 'chroot', 'mount']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found`;
  }
  if (!existsSync(path.join(BASE, 'etc/os-release')) || !existsSync(`${BASE}.recipe`)) {
    return `no cached Debian 12 root in ${CACHE}: run test/integration/setup-host/make-debian-root.sh (.ci/run does)`;
  }
  if (readFileSync(`${BASE}.recipe`, 'utf8').trim() !== recipe()) {
    return `the cached root in ${CACHE} was made by an older recipe: run test/integration/setup-host/make-debian-root.sh again (.ci/run does)`;
  }
  if (spawnSync('unshare', ['--mount', '--net', '--pid', '--fork', 'true']).status !== 0) return 'unshare --mount --net --pid is not permitted here';
  return undefined;
}

export interface DebianRoot {
  /** The root directory on this machine. */
  dir: string;
  remove(): Promise<void>;
}

/** What setup-host.sh installs from (the built tree, as after `npm ci`), and the test fixtures. */
const CHECKOUT_PARTS = ['package.json', 'package-lock.json', 'README.md', 'bin', 'dist', 'examples', 'vm-image', 'setup-host.sh', 'setup-host', 'test/integration/setup-host/fixtures'];

function snapshotCheckout(dest: string): void {
  mkdirSync(dest, { recursive: true });
  const parts = CHECKOUT_PARTS.filter((p) => existsSync(path.join(REPO, p)));
  const copy = spawnSync('cp', ['-a', '--parents', ...parts, dest], { cwd: REPO, encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`copying the checkout: ${copy.stderr}`);
  // node_modules is large and nothing rewrites it in place: hard links when on the same file system.
  const linked = spawnSync('cp', ['-al', 'node_modules', dest], { cwd: REPO, encoding: 'utf8' });
  if (linked.status !== 0 && spawnSync('cp', ['-a', 'node_modules', dest], { cwd: REPO }).status !== 0) throw new Error(`copying node_modules: ${linked.stderr}`);
}

/** A fresh copy of the cached root, with node and npm in /usr/local. */
export function freshDebianRoot(): DebianRoot {
  const parent = mkdtempSync('/var/tmp/gatehouse-setup-host-');
  const dir = path.join(parent, 'root');
  const copy = spawnSync('cp', ['-a', '--reflink=auto', BASE, dir]);
  if (copy.status !== 0) throw new Error(`copying ${BASE}: ${copy.stderr}`);
  cpSync(process.execPath, path.join(dir, 'usr/local/bin/node'));
  const npmDir = path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm');
  if (!existsSync(npmDir)) throw new Error(`npm not found at ${npmDir}`);
  mkdirSync(path.join(dir, 'usr/local/lib/node_modules'), { recursive: true });
  cpSync(npmDir, path.join(dir, 'usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(dir, 'usr/local/bin/npm'));
  snapshotCheckout(path.join(dir, SRC_IN_ROOT.slice(1)));
  return { dir, remove: () => rm(parent, { recursive: true, force: true }) };
}

export interface InRootOptions {
  /** Cut the network off (a new network namespace, loopback down). */
  offline?: boolean;
  /** chroot --userspec, e.g. "gatehouse:gatehouse". */
  user?: string;
  /** The whole environment inside (default: PATH, HOME=/root, LANG). */
  env?: Record<string, string>;
  cwd?: string;
}

function unshareArgs(root: DebianRoot, argv: string[], o: InRootOptions): string[] {
  const env = o.env ?? { PATH: PATH_IN_ROOT, HOME: '/root', LANG: 'C.UTF-8' };
  const chroot = ['chroot', ...(o.user ? [`--userspec=${o.user}`] : []), root.dir, 'env', '-i', ...(o.cwd ? [`--chdir=${o.cwd}`] : []), ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  // bash stays PID 1 of the namespace (no exec): `chroot --userspec` changes credentials, which
  // clears the parent-death signal, so a command exec'd in its place would outlive a killed unshare.
  // bash keeps it, and when bash dies or exits the kernel kills everything else in the namespace.
  const inner = ['set -e', 'mount --bind /dev "$1/dev"', 'shift', '"$@"', 'exit $?'].join('; ');
  return [
    '--mount', '--pid', '--fork', '--kill-child=SIGKILL', `--mount-proc=${path.join(root.dir, 'proc')}`,
    ...(o.offline ? ['--net'] : []),
    'bash', '-c', inner, 'in-root', root.dir, ...chroot, ...argv,
  ];
}

export interface RootRun {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
  seconds: number;
}

/** Run a command inside the root and wait for it (asynchronously: a long spawnSync would stall vitest's worker). */
export async function runInRoot(root: DebianRoot, argv: string[], o: InRootOptions = {}, timeoutMs = 300_000): Promise<RootRun> {
  const started = Date.now();
  const child = spawn('unshare', unshareArgs(root, argv, o), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, stdout, stderr, output: `${stdout}\n${stderr}`, seconds: (Date.now() - started) / 1000 };
}

/**
 * Start a command inside the root. Kill the returned process with SIGKILL (unshare ignores SIGTERM
 * while it waits): the namespace's PID 1 then gets SIGKILL, and everything in it ends with it.
 */
export function startInRoot(root: DebianRoot, argv: string[], o: InRootOptions = {}): ChildProcess {
  return spawn('unshare', unshareArgs(root, argv, o), { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The [Service] settings of a unit file that a test needs to start it by hand. */
export function readUnit(text: string): { execStart: string[]; user: string; group: string; environment: Record<string, string>; environmentFile: string; workingDirectory: string } {
  const get = (key: string) => text.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1] ?? '';
  const environment: Record<string, string> = {};
  for (const pair of get('Environment').split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    environment[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { execStart: get('ExecStart').split(/\s+/), user: get('User'), group: get('Group'), environment, environmentFile: get('EnvironmentFile'), workingDirectory: get('WorkingDirectory') };
}

/** An EnvironmentFile as setup-host.sh writes it (NAME="value" with \\ \" \$ \` escapes). */
export function readEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"$/gm)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  }
  return out;
}
