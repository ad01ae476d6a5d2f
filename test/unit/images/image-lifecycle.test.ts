// The image lifecycle's rules without VMs: version names, candidate → current → previous, failed
// versions never current, obsolete after keepDays unused and deleted keepDays later (injected clock),
// never the current, a pinned or an in-use version; the state file and the prune on disk; the
// config keys.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '../../../shared/config.js';
import { addCandidate, applyPrune, emptyState, markUsed, nextVersionName, planPrune, rebuildDue, recordVerification, switchTo, type FamilyState } from '../../../worker/images/image-lifecycle.js';
import { readFamilyState, updateFamilyState, versionDir } from '../../../worker/images/image-store.js';
import { configImageSource, versionOfDisk } from '../../../worker/images/image-source.js';
import { pruneImageVersions } from '../../../worker/images/prune-image-versions.js';
import { formatImageReport, imageReport } from '../../../worker/images/image-report.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { TEST_SECRETS, testConfig } from '../../support/test-config.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-11-01T10:00:00Z');
const none = new Set<string>();
const dir = makeTempDir();
afterAll(() => dir.remove());

/** v1 built and verified on day 0, v2 built on day 1, verified (v1 → previous) on day 1. */
function twoVersions(): FamilyState {
  let s = addCandidate(emptyState('deb'), 'deb-20261101', T0);
  s = recordVerification(s, 'deb-20261101', T0 + 1000);
  s = addCandidate(s, 'deb-20261102', T0 + DAY);
  return recordVerification(s, 'deb-20261102', T0 + DAY + 1000);
}

describe('image lifecycle', () => {
  it('names versions by UTC date, with .N for more on one day', () => {
    expect(nextVersionName('deb', [], T0)).toBe('deb-20261101');
    expect(nextVersionName('deb', ['deb-20261101'], T0)).toBe('deb-20261101.2');
    expect(nextVersionName('deb', ['deb-20261101', 'deb-20261101.2'], T0)).toBe('deb-20261101.3');
  });

  it('makes a verified candidate current and the old current previous', () => {
    const s = twoVersions();
    expect(s.current).toBe('deb-20261102');
    expect(s.versions.map((v) => [v.name, v.state])).toEqual([['deb-20261101', 'previous'], ['deb-20261102', 'current']]);
    expect(s.versions[0]?.retiredAt).toBe(new Date(T0 + DAY + 1000).toISOString());
  });

  it('never switches to a version that failed verification', () => {
    let s = twoVersions();
    s = addCandidate(s, 'deb-20261103', T0 + 2 * DAY);
    s = recordVerification(s, 'deb-20261103', T0 + 2 * DAY, 'smoke (image) `false` exited 1');
    expect(s.current).toBe('deb-20261102');
    expect(s.versions.find((v) => v.name === 'deb-20261103')).toMatchObject({ state: 'failed', failure: 'smoke (image) `false` exited 1' });
    expect(() => switchTo(s, 'deb-20261103', T0)).toThrow(/has not passed verification/);
    const again = recordVerification(s, 'deb-20261103', T0 + 3 * DAY); // verified again (`gatehouse images verify --version`)
    expect(again.current).toBe('deb-20261103');
    expect(again.versions.find((v) => v.name === 'deb-20261103')).toEqual(expect.not.objectContaining({ failure: expect.anything() }));
    expect(() => switchTo(s, 'nope', T0)).toThrow(/no version "nope"/);
  });

  it('marks a version obsolete after keepDays unused, and deletes it keepDays later', () => {
    const s = twoVersions(); // v1 retired at day 1
    const at = (days: number) => ({ now: T0 + DAY + 1000 + days * DAY, keepDays: 14, pinned: none, inUse: none });
    expect(planPrune(s, at(13.9))).toEqual({ markObsolete: [], remove: [], kept: [] });
    const plan = planPrune(s, at(14));
    expect(plan.markObsolete).toEqual(['deb-20261101']);
    const obsolete = applyPrune(s, plan, at(14).now);
    expect(obsolete.versions[0]).toMatchObject({ state: 'obsolete', obsoleteAt: new Date(at(14).now).toISOString() });
    expect(planPrune(obsolete, at(27.9)).remove).toEqual([]);
    expect(planPrune(obsolete, at(28)).remove).toEqual(['deb-20261101']);
    expect(applyPrune(obsolete, planPrune(obsolete, at(28)), at(28).now).versions.map((v) => v.name)).toEqual(['deb-20261102']);
  });

  it('counts a build on a version as use, and brings an obsolete one back', () => {
    const s = markUsed(twoVersions(), 'deb-20261101', T0 + 10 * DAY);
    expect(planPrune(s, { now: T0 + 23 * DAY, keepDays: 14, pinned: none, inUse: none }).markObsolete).toEqual([]);
    expect(planPrune(s, { now: T0 + 24 * DAY, keepDays: 14, pinned: none, inUse: none }).markObsolete).toEqual(['deb-20261101']);
    const back = markUsed(applyPrune(s, { markObsolete: ['deb-20261101'], remove: [], kept: [] }, T0 + 24 * DAY), 'deb-20261101', T0 + 25 * DAY);
    expect(back.versions[0]).toMatchObject({ state: 'previous' });
    expect(back.versions[0]?.obsoleteAt).toBeUndefined();
  });

  it('never marks or deletes the current version, a pinned one or one in use', () => {
    const s = twoVersions();
    const late = T0 + 400 * DAY;
    expect(planPrune(s, { now: late, keepDays: 14, pinned: none, inUse: none }).markObsolete).toEqual(['deb-20261101']); // never the current
    expect(planPrune(s, { now: late, keepDays: 14, pinned: new Set(['deb-20261101']), inUse: none })).toEqual({ markObsolete: [], remove: [], kept: [{ name: 'deb-20261101', why: 'pinned by the config' }] });
    const obsolete = applyPrune(s, { markObsolete: ['deb-20261101'], remove: [], kept: [] }, T0 + 20 * DAY);
    expect(planPrune(obsolete, { now: late, keepDays: 14, pinned: none, inUse: new Set(['deb-20261101']) })).toEqual({ markObsolete: [], remove: [], kept: [{ name: 'deb-20261101', why: 'in use by a running VM' }] });
  });

  it('rebuilds when the newest version is older than rebuildEvery, never with 0', () => {
    const s = twoVersions();
    expect(rebuildDue(emptyState('x'), T0, 7 * DAY)).toBe(true);
    expect(rebuildDue(s, T0 + 7 * DAY, 7 * DAY)).toBe(false);
    expect(rebuildDue(s, T0 + 8 * DAY, 7 * DAY)).toBe(true);
    expect(rebuildDue(s, T0 + 800 * DAY, 0)).toBe(false);
  });
});

describe('image state on disk', () => {
  const imagesDir = path.join(dir.path, 'images');
  const family = { arch: 'x86_64' as const, build: { distro: 'debian' as const, with: [], packages: [] }, smoke: 'true', rebuildEvery: 7 * DAY, keepDays: 14 };

  it('writes state.json atomically under a lock; concurrent updates all land', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((n, i) => updateFamilyState(imagesDir, 'deb', (s) => addCandidate(s, `deb-${n}`, T0 + i))));
    const state = await readFamilyState(imagesDir, 'deb');
    expect(state.versions.map((v) => v.name).sort()).toEqual(['deb-a', 'deb-b', 'deb-c', 'deb-d']);
    expect(existsSync(path.join(imagesDir, 'deb', 'state.lock'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(imagesDir, 'deb', 'state.json'), 'utf8')).family).toBe('deb');
  });

  it('resolves a family to its current version when asked, not when loaded', async () => {
    const source = configImageSource({ fam: family }, imagesDir);
    await expect(source.resolve('fam')).rejects.toThrow(/no current version yet: build one with `gatehouse images build --image fam`/);
    for (const v of ['fam-20261101', 'fam-20261102']) {
      mkdirSync(versionDir(imagesDir, 'fam', v), { recursive: true });
      writeFileSync(path.join(versionDir(imagesDir, 'fam', v), 'manifest.json'), JSON.stringify({ sshHostKeys: ['ssh-ed25519 AAAAkey'], name: 'deb-bookworm' }));
    }
    await updateFamilyState(imagesDir, 'fam', () => twoVersionsNamed('fam'));
    const image = await source.resolve('fam');
    expect(image).toMatchObject({ name: 'fam', version: 'fam-20261102', disk: path.join(imagesDir, 'fam', 'fam-20261102', 'disk.qcow2'), hostKeys: ['AAAAkey'] });
    expect(versionOfDisk(imagesDir, 'fam', image.disk)).toBe('fam-20261102');
    expect(versionOfDisk(imagesDir, 'fam', '/elsewhere/disk.qcow2')).toBeUndefined();
    await source.used(image, T0 + 2 * DAY);
    expect((await readFamilyState(imagesDir, 'fam')).versions[1]?.lastUsedAt).toBe(new Date(T0 + 2 * DAY).toISOString());
    const pinned = await configImageSource({ fam: { ...family, version: 'fam-20261101' } }, imagesDir).resolve('fam');
    expect(pinned.version).toBe('fam-20261101');
  });

  it('prunes on disk: obsolete first, the directory deleted keepDays later, never one in use', async () => {
    const day = (n: number) => () => T0 + DAY + 1000 + n * DAY;
    const old = versionDir(imagesDir, 'fam', 'fam-20261101');
    expect((await pruneImageVersions({ family: 'fam', config: family, imagesDir, disksInUse: [], now: day(14) })).markObsolete).toEqual(['fam-20261101']);
    expect(existsSync(old)).toBe(true);
    const inUse = await pruneImageVersions({ family: 'fam', config: family, imagesDir, disksInUse: [path.join(old, 'disk.qcow2')], now: day(28) });
    expect(inUse.kept).toEqual([{ name: 'fam-20261101', why: 'in use by a running VM' }]);
    expect(existsSync(old)).toBe(true);
    expect((await pruneImageVersions({ family: 'fam', config: family, imagesDir, disksInUse: [], now: day(28) })).remove).toEqual(['fam-20261101']);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(versionDir(imagesDir, 'fam', 'fam-20261102'))).toBe(true);
    const report = await imageReport({ fam: family }, imagesDir);
    expect(report).toEqual([{ image: 'fam', current: 'fam-20261102', versions: [expect.objectContaining({ name: 'fam-20261102', state: 'current', lastUsedAt: new Date(T0 + 2 * DAY).toISOString() })] }]);
    expect(formatImageReport(report)).toMatch(/^fam: current fam-20261102\n \* fam-20261102 +current +built 2026-11-02T10:00:00.000Z, verified/);
  });
});

function twoVersionsNamed(family: string): FamilyState {
  const s = twoVersions();
  return { family, current: s.current?.replace('deb', family), versions: s.versions.map((v) => ({ ...v, name: v.name.replace('deb', family) })) };
}

describe('image config keys', () => {
  const problems = (images: unknown, builderVm: Record<string, unknown> = {}): string[] => {
    const input = { ...testConfig(), images, builders: [{ name: 'b', vm: { image: 'deb', ...builderVm }, steps: [{ name: 's', run: 'true' }] }] };
    try {
      parseConfig(input, 'cfg', { env: TEST_SECRETS });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('defaults smoke, rebuildEvery and keepDays; files are optional with build', () => {
    const { config } = parseConfig({ ...testConfig(), images: { deb: { arch: 'x86_64', build: {} } }, builders: [{ name: 'b', vm: { image: 'deb', smoke: 'docker info' }, steps: [{ name: 's', run: 'true' }] }] }, 'cfg', { env: TEST_SECRETS });
    expect(config.images.deb).toEqual({ arch: 'x86_64', build: { distro: 'debian', with: [], packages: [] }, smoke: 'true', rebuildEvery: 7 * DAY, keepDays: 14 });
    expect(config.builders[0]?.vm?.smoke).toBe('docker info');
    expect(parseConfig({ ...testConfig(), images: { deb: { arch: 'x86_64', build: {}, rebuildEvery: false } }, builders: [{ name: 'b', vm: { image: 'deb' }, steps: [{ name: 's', run: 'true' }] }] }, 'cfg', { env: TEST_SECRETS }).config.images.deb?.rebuildEvery).toBe(0);
  });

  it('names the key of each problem', () => {
    expect(problems({ deb: { arch: 'x86_64' } })).toEqual(expect.arrayContaining([expect.stringMatching(/^images\.deb\.disk: expected "disk" \(or a "build" section/)]));
    expect(problems({ deb: { arch: 'x86_64', build: { distro: 'arch' } } })).toEqual([expect.stringMatching(/^images\.deb\.build\.distro: /)]);
    expect(problems({ deb: { arch: 'x86_64', build: {}, rebuildEvery: 'weekly' } })).toEqual([expect.stringMatching(/^images\.deb\.rebuildEvery: /)]);
    expect(problems({ deb: { arch: 'x86_64', build: {}, keepDays: 0 } })).toEqual([expect.stringMatching(/^images\.deb\.keepDays: /)]);
  });
});

describe('build command', () => {
  it('passes the recipe to build.sh, or runs the image\'s own builder with --out', async () => {
    const { buildCommand } = await import('../../../worker/images/build-image-version.js');
    const base = { arch: 'ppc64le' as const, smoke: 'true', rebuildEvery: 0, keepDays: 14 };
    expect(buildCommand({ ...base, build: { distro: 'debian', suite: 'trixie', with: ['docker'], packages: ['git', 'make'], seed: '/cache/x' } }, '/img/d/d-1', 'build.sh')).toEqual([
      'build.sh', '--distro', 'debian', '--arch', 'ppc64le', '--out', '/img/d/d-1', '--suite', 'trixie', '--with', 'docker', '--packages', 'git,make', '--seed', '/cache/x',
    ]);
    expect(buildCommand({ ...base, build: { distro: 'debian', with: [], packages: [], command: ['/opt/mkimg', '-q'] } }, '/img/d/d-1', 'build.sh')).toEqual(['/opt/mkimg', '-q', '--out', '/img/d/d-1']);
  });

  it('runs the image\'s own builder into a claimed version directory; two builds the same day get two names; a stop ends the builder\'s process group', async () => {
    const { buildImageVersion } = await import('../../../worker/images/build-image-version.js');
    const imagesDir = path.join(dir.path, 'own-builder');
    // A builder that writes the three files into --out DIR (the argument after --out).
    const make = ['bash', '-c', 'out=$2; printf disk > "$out/disk.qcow2"; printf k > "$out/kernel"; printf i > "$out/initrd.img"', 'mkimg'];
    const config = { arch: 'x86_64' as const, smoke: 'true', rebuildEvery: 0, keepDays: 14, build: { distro: 'debian' as const, with: [], packages: [], command: make } };
    const now = () => Date.UTC(2026, 10, 26, 12);
    const [a, b] = await Promise.all([buildImageVersion({ family: 'own', config, imagesDir, now }), buildImageVersion({ family: 'own', config, imagesDir, now })]);
    expect([a.version, b.version].sort()).toEqual(['own-20261126', 'own-20261126.2']);
    expect(readFileSync(path.join(a.dir, 'disk.qcow2'), 'utf8')).toBe('disk');
    expect((await readFamilyState(imagesDir, 'own')).versions.map((v) => [v.name, v.state]).sort()).toEqual([['own-20261126', 'candidate'], ['own-20261126.2', 'candidate']]);

    // The builder's child (sleep) is in its group: the stop reaches it, and the claimed directory goes.
    const pidFile = path.join(dir.path, 'sleep.pid');
    const slow = { ...config, build: { ...config.build, command: ['bash', '-c', `sleep 60 & echo $! > ${pidFile}; wait`, 'mkimg'] } };
    const controller = new AbortController();
    const started = Date.now();
    const building = buildImageVersion({ family: 'own', config: slow, imagesDir, now, signal: controller.signal });
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(building).rejects.toThrow('image own: the build was stopped');
    expect(Date.now() - started).toBeLessThan(10_000);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    // Orphaned by the stop, the sleeper is reaped by PID 1, and a container's PID 1 may never reap:
    // a zombie counts as ended.
    const alive = (pid: number): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(sleeper); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(sleeper)).toBe(false);
    expect(existsSync(versionDir(imagesDir, 'own', 'own-20261126.3'))).toBe(false);
  });
});
