// The docker-ce example (examples/docker-ce-ppc64le) run for real: a `gatehouse master` and a
// `gatehouse worker` process, the example's config with only test-environment overrides, ppc64le VMs
// under TCG, and local stand-ins for what is on the internet (test/fixtures/docker-ce: the packaging
// repository as a git bundle, the docker-ce-build repository with a shell dockertest suite; IBM COS
// as test/support/s3-stand-in.ts, where the example keeps its artifacts). A signed
// push that changes env/env.list builds 5 distributions 4 at a time, stores each one's packages as
// it finishes, chains `dockertest`, which downloads them from the master, writes errors.txt, and
// fails its check on the one distribution whose package check fails; publishing never runs.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startMasterProcess, type MasterProcess } from '../../support/master-process.js';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.js';
import { examplePayload, webhookHeaders } from '../../support/sign-webhook.js';
import { startS3StandIn, type S3StandIn } from '../../support/s3-stand-in.js';
import { domainsNamed, IMAGES_DIR, vmTestEnv } from '../../support/vm-env.js';
import { vmTestRoot } from '../../support/vm-build.js';
import { domainPrefix } from '../../../worker/executor/vm/leftovers.js';

const env = vmTestEnv();
const EXAMPLE = path.join(ROOT, 'examples/docker-ce-ppc64le');
const FIXTURES = path.join(ROOT, 'test/fixtures/docker-ce');
/** A ppc64le image with git and make (vm-image/build.sh --packages git,make); .ci/run builds it. */
const IMAGE_DIR = path.join(IMAGES_DIR, 'debian-ppc64le-build');
const DISTROS = ['debian-bookworm', 'debian-bullseye', 'ubuntu-jammy', 'ubuntu-noble', 'centos-9'];
const SECRETS = {
  GH_WEBHOOK_SECRET: 'docker-ce-webhook-secret',
  GATEHOUSE_WORKER_SECRET: 'docker-ce-worker-secret',
  GATEHOUSE_ADMIN_TOKEN: 'docker-ce-admin-token',
  COS_ACCESS_KEY_ID: 'cos-key-id-not-used',
  COS_SECRET_ACCESS_KEY: 'cos-secret-not-used-4321',
};

interface Build {
  id: number;
  builder: string;
  state: string;
  result: string | null;
  result_reason: string | null;
  sha: string;
}
interface Step {
  step: string;
  name: string;
  result: string | null;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
}
interface Artifact {
  id: number;
  step: string;
  kind: string;
  path: string;
  size: number;
  created_at: number;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A git repository made of a fixture directory; returns its HEAD. */
function repoFrom(dir: string, message: string): string {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

describe.skipIf(env.skipReason !== undefined).sequential('the docker-ce example on ppc64le VMs', { timeout: 900_000 }, () => {
  const root = vmTestRoot('docker-ce');
  let master: MasterProcess;
  let worker: WorkerProcess;
  let bucket: S3StandIn;
  let sha = '';

  const api = async <T,>(p: string): Promise<T> => {
    const res = await fetch(`${master.url}${p}`);
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    for (const file of ['disk.qcow2', 'kernel', 'initrd.img', 'manifest.json']) {
      if (!readdirSync(IMAGE_DIR, { withFileTypes: true }).some((e) => e.name === file)) {
        throw new Error(`no ${file} in ${IMAGE_DIR}: build it with vm-image/build.sh --distro debian --arch ppc64le --packages git,make --out ${IMAGE_DIR} (.ci/run does)`);
      }
    }
    // docker-ce-packaging, pinned by its commit and handed to the VM as a bundle.
    const packaging = path.join(root, 'packaging');
    cpSync(path.join(FIXTURES, 'packaging'), packaging, { recursive: true });
    const packagingRef = repoFrom(packaging, 'packaging stand-in');
    const config = path.join(root, 'config');
    cpSync(EXAMPLE, config, { recursive: true });
    git(packaging, 'bundle', 'create', path.join(config, 'docker-ce-packaging.bundle'), '--all');

    // docker-ce-build: the repository whose pushes are built (cloned by the worker from this path).
    const work = path.join(root, 'docker-ce-build');
    cpSync(path.join(FIXTURES, 'build-repo'), work, { recursive: true });
    const envList = path.join(work, 'env/env.list');
    writeFileSync(envList, readFileSync(envList, 'utf8').replace('@PACKAGING_REF@', packagingRef));
    sha = repoFrom(work, 'Bump docker to v27.1.0');

    // IBM COS: a local S3 stand-in that checks every request's signature.
    bucket = await startS3StandIn({ bucket: 'docker-ce-ppc64le', accessKeyId: SECRETS.COS_ACCESS_KEY_ID, secretAccessKey: SECRETS.COS_SECRET_ACCESS_KEY, region: 'us-south' });

    // The example's config as it is, with what differs in this test environment laid over it.
    writeFileSync(
      path.join(config, 'test.config.mjs'),
      `import example from './gatehouse.config.mjs';
const image = ${JSON.stringify(IMAGE_DIR)};
export default {
  ...example,
  http: { ...example.http, port: 0, host: '127.0.0.1' },
  artifacts: { ...example.artifacts, s3: { ...example.artifacts.s3, endpoint: ${JSON.stringify(bucket.url)} } },
  dataDir: ${JSON.stringify(path.join(root, 'data'))},
  // No GitHub here: no token (so no statuses), and the worker clones from the local repository.
  github: { ...example.github, token: undefined, cloneUrl: ${JSON.stringify(work)} },
  images: { [example.builders[0].vm.image]: { arch: 'ppc64le', disk: image + '/disk.qcow2', kernel: image + '/kernel', initrd: image + '/initrd.img' } },
  vm: { domainType: 'qemu', bootTimeout: '4m' },
  builders: example.builders.map((b) => ({
    ...b,
    // Sized for a 2-core test machine, and no network: the stand-ins are local.
    vm: { ...b.vm, memoryMiB: 2048, cpus: 2, network: false },
    env: { ...b.env, DOCKER_PACKAGING_URL: './docker-ce-packaging.bundle', GOTESTSUM: './tools/gotestsum' },
    steps: b.steps.map((s) => (s.name === 'packaging' ? { ...s, upload: [...s.upload, 'docker-ce-packaging.bundle'] } : s)),
  })),
};
`,
    );
    const configFile = path.join(config, 'test.config.mjs');
    master = await startMasterProcess(['master', '--config', configFile], SECRETS);
    worker = startWorkerProcess(configFile, 'power-host', master.url, SECRETS);
    await worker.waitFor('connected to the master', 60_000);
  });

  afterAll(async () => {
    await worker?.kill();
    await master?.kill();
    await bucket?.close();
    expect(domainsNamed(domainPrefix('power-host'))).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  it('builds five distributions four at a time, stores each one as it ends, chains dockertest, and fails the check on the bad one', async () => {
    const payload = examplePayload('push');
    payload.ref = 'refs/heads/main';
    payload.after = sha;
    payload.repository.full_name = 'ppc64le-cloud/docker-ce-build';
    payload.repository.clone_url = 'https://github.com/ppc64le-cloud/docker-ce-build.git';
    payload.head_commit = { ...payload.head_commit, id: sha, message: 'Bump docker to v27.1.0' };
    payload.commits = [{ ...payload.head_commit, added: [], removed: [], modified: ['env/env.list'] }];
    const body = JSON.stringify(payload);
    const res = await fetch(`${master.url}/change_hook/github`, { method: 'POST', headers: webhookHeaders('push', body, SECRETS.GH_WEBHOOK_SECRET), body });
    expect(res.status).toBe(200);

    let builds: Build[] = [];
    const deadline = Date.now() + 840_000;
    while (Date.now() < deadline) {
      builds = (await api<{ builds: Build[] }>('/api/v2/builds?order=id')).builds;
      if (builds.length === 2 && builds.every((b) => b.state === 'finished')) break;
      if (builds.some((b) => b.builder === 'docker' && b.state === 'finished' && b.result !== 'success')) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const docker = builds.find((b) => b.builder === 'docker');
    const dockertest = builds.find((b) => b.builder === 'dockertest');
    expect(docker, `builds: ${JSON.stringify(builds)}\n${worker.output().slice(-3000)}`).toMatchObject({ state: 'finished', result: 'success', sha });
    expect(dockertest, JSON.stringify(builds)).toMatchObject({ state: 'finished', result: 'failure', sha });

    // Four at a time: never five children running together, and the fifth starts after one ended.
    // Both ends by the worker's clock (started_at + duration_ms): the master's finished_at is when
    // the message arrived, a little after the next child may already have started.
    const steps = (await api<{ steps: Step[] }>(`/api/v2/builds/${docker?.id}/steps`)).steps;
    const children = steps.filter((s) => DISTROS.some((d) => s.name === `build-${d}`));
    expect(children.map((s) => [s.name, s.result])).toEqual(DISTROS.map((d) => [`build-${d}`, 'success']));
    const end = (s: Step) => (s.started_at ?? 0) + (s.duration_ms ?? 0);
    const at = (t: number) => children.filter((s) => (s.started_at ?? 0) <= t && t < end(s)).length;
    expect(Math.max(...children.map((s) => at(s.started_at ?? 0)))).toBe(4);
    const fifth = children.find((s) => s.name === 'build-centos-9') as Step;
    expect(fifth.started_at).toBeGreaterThanOrEqual(Math.min(...children.map(end)));

    // Each distribution's packages were stored when its own build ended, before the slow ones ended.
    const artifacts = (await api<{ artifacts: Artifact[] }>(`/api/v2/builds/${docker?.id}/artifacts`)).artifacts;
    const lastEnd = Math.max(...children.map(end));
    for (const distro of DISTROS) {
      const own = artifacts.filter((a) => a.path.startsWith(`packages/${distro}/`));
      expect(own.map((a) => path.basename(a.path)).sort(), distro).toHaveLength(2);
    }
    for (const quick of ['debian-bookworm', 'centos-9']) {
      const stored = Math.max(...artifacts.filter((a) => a.path.startsWith(`packages/${quick}/`)).map((a) => a.created_at));
      expect(stored, `${quick} stored before the slow distributions ended`).toBeLessThan(lastEnd);
    }
    // The static tarball (3 MB here) is over the inline size: read from the VM over SFTP and streamed to the master.
    const tarball = artifacts.find((a) => a.path === 'packages/static/docker-27.1.0.tgz');
    expect(tarball?.size).toBeGreaterThan(3_000_000);
    expect(await log(docker?.id, steps, 'static')).toMatch(/docker-27\.1\.0\.tgz: \d+ bytes stored, sha256 [0-9a-f]{64}/);
    // …and moved to the bucket (IBM COS), under the example's prefix.
    for (const distro of DISTROS) expect([...bucket.objects.keys()].filter((k) => k.startsWith(`gatehouse/${docker?.id}/packages/${distro}/`)), distro).toHaveLength(2);
    expect(bucket.requests.filter((r) => r.status >= 400)).toEqual([]);

    // dockertest: the packages came from the master, errors.txt has every distribution, the check failed.
    const testSteps = (await api<{ steps: Step[] }>(`/api/v2/builds/${dockertest?.id}/steps`)).steps;
    const result = (name: string) => testSteps.find((s) => s.name === name)?.result;
    expect(result('fetch-packages')).toBe('success');
    expect(await log(dockertest?.id, testSteps, 'fetch-packages')).toContain('packages/centos-9/docker-ce-27.1.0-1.centos-9.ppc64le.rpm');
    expect(result('test-centos-9')).toBe('failure');
    for (const distro of DISTROS.slice(0, 4)) expect(result(`test-${distro}`), distro).toBe('success');
    expect(result('errors')).toBe('success');
    expect(result('check')).toBe('failure');
    expect(result('publish')).toBe('skipped');
    expect(dockertest?.result_reason).toBe('step "test-centos-9" failed (exit code 1)');
    expect(await log(dockertest?.id, testSteps, 'check')).toContain('centos-9: TestDistroPackageCheck: failed (1)');

    const testArtifacts = (await api<{ artifacts: Artifact[] }>(`/api/v2/builds/${dockertest?.id}/artifacts`)).artifacts;
    const errorsTxt = testArtifacts.find((a) => a.path === 'errors.txt') as Artifact;
    const errors = await (await fetch(`${master.url}/api/v2/builds/${dockertest?.id}/artifacts/${errorsTxt.id}`)).text();
    for (const distro of DISTROS) {
      const [name, vers] = [distro.slice(0, distro.indexOf('-')), distro.slice(distro.indexOf('-') + 1)];
      const bad = distro === 'centos-9';
      expect(errors, distro).toContain(`DISTRO ${name} ${vers}\nTestDistro : 0\nTestDistroInstallPackage : 0\nTestDistroPackageCheck : ${bad ? 1 : 0}\nAll : ${bad ? 1 : 0}\n`);
    }
    expect(testArtifacts.filter((a) => a.kind === 'junit')).toHaveLength(15);
    const junit = await api<{ tests: number; failed: number; failures: Array<{ name: string }> }>(`/api/v2/builds/${dockertest?.id}/junit`);
    expect(junit).toMatchObject({ tests: 15, failed: 1 });
    expect(junit.failures.map((f) => f.name)).toEqual(['TestDistroPackageCheck']);
  });

  async function log(buildId: number | undefined, steps: Step[], name: string): Promise<string> {
    const step = steps.find((s) => s.name === name);
    return (await fetch(`${master.url}/api/v2/builds/${buildId}/steps/${step?.step}/log`)).text();
  }
});
