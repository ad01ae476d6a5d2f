// The VM executor on real VMs (libvirtd, qemu under TCG here, the guest's sshd): a build whose steps
// print, fail, time out and upload a JUnit file, with its source streamed in; a cancelled build on a
// warm-pool VM; a VM that never boots; a ppc64le build; a worker process killed with SIGKILL
// mid-build, whose domain and overlay the next start removes. Each build gets a fresh VM (a used VM
// is never reused); each test ends with no domain and no overlay left. The tests run one after
// another in this one file: on two cores, VMs that boot one at a time boot fastest.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../../worker/build-runner.js';
import { buildDomainName, domainPrefix, snapshotDomainName } from '../../../worker/executor/vm/leftovers.js';
import { AGENT_SOCKET_SUFFIX } from '../../../worker/executor/vm/snapshot/restore-agent.js';
import { connectLibvirt } from '../../../worker/executor/vm/connect-libvirt.js';
import { createTestRepo } from '../../support/worker-git-repo.js';
import { RecordingSink, step, waitUntil } from '../../support/worker-build-spec.js';
import { startTestMaster } from '../../support/worker-test-master.js';
import { domainsNamed, filesIn, IMAGES_DIR, LIBVIRT_URI, testImage, vmTestEnv } from '../../support/vm-env.js';
import { expectNothingLeft, imagesFor, uniqueWorker, vmBuild, vmFixture, type VmFixture, vmTestRoot } from '../../support/vm-build.js';

const env = vmTestEnv();
const JUNIT = '<?xml version="1.0"?><testsuite name="vm" tests="1" failures="0"><testcase name="boots"/></testsuite>';

describe.skipIf(env.skipReason !== undefined).sequential('vm executor on real VMs', { timeout: 300_000 }, () => {
  let fx: VmFixture;
  beforeAll(() => {
    fx = vmFixture('x86', { images: imagesFor('x86_64') });
  });
  afterAll(async () => {
    await fx?.finish();
  });

  it('reaches libvirtd through the native binding, and through virsh behind the same interface', async () => {
    const native = await connectLibvirt({ uri: LIBVIRT_URI });
    const virsh = await connectLibvirt({ uri: LIBVIRT_URI, prefer: 'virsh' });
    try {
      expect(native.kind).toBe('native'); // @unraid/libvirt built (npm ci compiles it against libvirt-dev)
      expect(virsh.kind).toBe('virsh');
      expect((await virsh.listRunning()).sort()).toEqual((await native.listRunning()).sort());
      await native.destroy(`gatehouse-${uniqueWorker('none')}-b1-1`); // gone already: not an error
      await virsh.destroy(`gatehouse-${uniqueWorker('none')}-b1-1`);
    } finally {
      await native.close();
      await virsh.close();
    }
  });

  it('runs steps that print, fail, time out and write JUnit, on the source streamed in, then removes the VM', async () => {
    const repo = createTestRepo(`${fx.root}/upstream`);
    const sha = repo.commit({ 'src/hello.sh': { content: 'echo "hello from $(uname -m)"\n', mode: 0o755 } }, 'add hello');
    repo.setRef('refs/pull/7/head', sha);
    const sink = new RecordingSink();
    const build = vmBuild(
      'debian-x86_64',
      [
        step('0', 'print', { run: './src/hello.sh; cat README.md; echo "secret=$TOKEN"; echo to-stderr >&2; test ! -e /home/ci/.ssh/authorized_keys' , env: { TOKEN: 's3cr3t-value' } }),
        step('1', 'junit', {
          upload: [{ path: 'ci/make-junit.sh', content: Buffer.from(`mkdir -p results\necho '${JUNIT}' > results/vm.xml\nln -s /etc/passwd results/leak.xml\n`).toString('base64'), mode: 0o755 }],
          run: './ci/make-junit.sh',
          junit: ['results/*.xml'],
        }),
        step('2', 'fail', { run: 'echo failing; exit 3', haltOnFailure: false }),
        step('3', 'timeout', { run: 'sleep 1000 & sleep 1001; echo never', timeoutMs: 3000, haltOnFailure: false }),
        step('4', 'after', { run: 'if pgrep -x sleep; then echo "sleep survived"; exit 1; fi; echo "result so far: $GATEHOUSE_RESULT"', always: true }),
      ],
      { source: { cloneUrl: repo.dir, ref: 'refs/pull/7/head', sha }, secrets: ['s3cr3t-value'] },
    );
    const started = Date.now();
    const result = await runBuild(build, { executor: fx.executor, sink, signal: new AbortController().signal, logger: fx.logger });
    console.log(`x86_64 build of 5 steps on a fresh VM: ${((Date.now() - started) / 1000).toFixed(1)}s`);

    expect(sink.log(1, '0')).toContain('hello from x86_64\nhello\nsecret=***');
    expect(sink.log(1, '0', 'stderr')).toBe('to-stderr\n');
    expect(sink.log(1, '0', 'header')).toMatch(/VM gatehouse-.*-b1-1 \(image debian-x86_64, x86_64/);
    expect(sink.finished(1, '0')).toMatchObject({ result: 'success', exitCode: 0 });

    expect(sink.finished(1, '1')).toMatchObject({ result: 'success' });
    const artifacts = sink.messages.filter((m) => m.type === 'artifact');
    expect(artifacts).toHaveLength(1); // the symlink to /etc/passwd is not carried out
    expect(artifacts[0]).toMatchObject({ kind: 'junit', path: 'results/vm.xml' });
    expect(Buffer.from((artifacts[0] as { content: string }).content, 'base64').toString()).toContain('<testcase name="boots"/>');

    expect(sink.finished(1, '2')).toMatchObject({ result: 'failure', exitCode: 3 });
    expect(sink.log(1, '2')).toBe('failing\n');

    expect(sink.finished(1, '3')).toMatchObject({ result: 'failure', reason: 'timed out after 3s' });
    expect(sink.log(1, '3')).not.toContain('never');
    expect(sink.finished(1, '4')).toMatchObject({ result: 'success' });
    expect(sink.log(1, '4')).toBe('result so far: failure\n');
    expect(result).toBe('failure');
    expect(sink.buildFinished(1)).toMatchObject([{ type: 'build.finished', buildId: 1, result: 'failure' }]);
    expectNothingLeft(fx.worker, fx.vmDir);
  });

  it('takes a warm-pool VM, cancels its running step (the process group in the VM), runs the always step; the VM is not reused', async () => {
    const pooled = vmFixture('x86-pool', { images: imagesFor('x86_64'), warmPool: [{ image: 'debian-x86_64', size: 1, memoryMiB: 1024, cpus: 1, network: false }] });
    try {
      await pooled.executor.ready;
      await pooled.executor.pool?.whenFull(200_000);
      const [warm] = domainsNamed(domainPrefix(pooled.worker));
      const sink = new RecordingSink();
      const cancel = new AbortController();
      const build = vmBuild('debian-x86_64', [step('0', 'long', { run: 'echo started; sleep 1000' }), step('1', 'cleanup', { run: 'pgrep -x sleep || echo "no sleep left"; echo "$GATEHOUSE_RESULT"', always: true })], { buildId: 2 });
      const submitted = Date.now();
      const running = runBuild(build, { executor: pooled.executor, sink, signal: cancel.signal, logger: pooled.logger });
      await waitUntil(() => sink.log(2, '0').includes('started'), 'the step to start', 30_000);
      console.log(`warm pool: build submitted → first step output in ${Date.now() - submitted} ms`);
      expect(sink.log(2, '0', 'header')).toContain(`VM ${warm} `);
      cancel.abort('superseded by a new push');
      expect(await running).toBe('cancelled');
      expect(sink.finished(2, '0')).toMatchObject({ result: 'cancelled' });
      expect(sink.log(2, '1')).toBe('no sleep left\ncancelled\n');
      expect(sink.buildFinished(2)).toEqual([{ type: 'build.finished', buildId: 2, result: 'cancelled', reason: 'cancelled: superseded by a new push', image: { image: 'debian-x86_64', version: expect.stringMatching(/^debian-bookworm-x86_64-\d{8}$/), at: expect.any(Number), start: 'pool', startMs: 0 } }]);
      // The used VM is gone; the pool is booting a new one under another name.
      expect(domainsNamed(domainPrefix(pooled.worker))).not.toContain(warm);
    } finally {
      await pooled.finish(); // aborts the refill that is still booting
    }
  });

  it('ends a build whose VM never boots as error with the console log, after one retry on a fresh VM (libvirt through virsh)', async () => {
    const broken = vmFixture('x86-broken', {
      // The kernel finds no such init in the initramfs, cannot mount root without its modules, and panics.
      images: { 'broken-cmdline': { ...testImage('x86_64'), cmdline: 'rdinit=/nonexistent' } },
      // This test drives libvirt through virsh, the stand-in for the native binding.
      libvirt: await connectLibvirt({ uri: LIBVIRT_URI, prefer: 'virsh' }),
    });
    try {
      const sink = new RecordingSink();
      const result = await runBuild(vmBuild('broken-cmdline', [step('0', 'never', { run: 'echo unreachable' })], { buildId: 3 }), { executor: broken.executor, sink, signal: new AbortController().signal, logger: broken.logger });
      expect(result).toBe('error');
      const reason = sink.buildFinished(3)[0]?.reason ?? '';
      expect(reason).toContain('prepare failed');
      expect(reason).toContain('2 VMs tried');
      expect(reason).toContain('--- console of the last VM (tail) ---');
      expect(reason).toMatch(/Kernel panic - not syncing/);
      expect(broken.logger.lines.some((l) => l.includes('-b3-1') && l.includes('retrying on a fresh VM'))).toBe(true);
      expect(sink.finished(3, '0')).toMatchObject({ result: 'skipped' });
    } finally {
      await broken.finish();
    }
  });
  it('boots a ppc64le guest (pseries, TCG) and runs a step in it', async () => {
    const ppc = vmFixture('ppc', { images: imagesFor('ppc64le') });
    try {
      const sink = new RecordingSink();
      const started = Date.now();
      const result = await runBuild(vmBuild('debian-ppc64le', [step('0', 'arch', { run: 'uname -m; nproc; echo "$GATEHOUSE_STEP"', junit: ['none/*.xml'] })], { buildId: 4 }), {
        executor: ppc.executor,
        sink,
        signal: new AbortController().signal,
        logger: ppc.logger,
      });
      console.log(`ppc64le build on a fresh VM: ${((Date.now() - started) / 1000).toFixed(1)}s`);
      expect(result).toBe('success');
      expect(sink.log(4, '0')).toBe('ppc64le\n1\narch\n');
      expect(sink.log(4, '0', 'header')).toContain('image debian-ppc64le, ppc64le, 1 vCPU');
      expect(sink.log(4, '0', 'header')).toContain('no file matches none/*.xml');
    } finally {
      await ppc.finish();
    }
  });

  it('leaves a domain and an overlay when the worker process is killed with SIGKILL mid-build; the next start removes them (and a stale agent socket)', async () => {
    const worker = uniqueWorker('kill');
    const root = vmTestRoot('kill');
    const vmDir = path.join(root, 'data', 'worker', worker, 'vm');
    const master = await startTestMaster({ workers: { [worker]: 'kill-secret' } });
    const config = path.join(root, 'gatehouse.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: './data',
        github: { repo: 'acme/widgets', webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
        workers: [{ name: worker, secret: { env: 'KILL_SECRET' } }],
        images: { 'debian-x86_64': { arch: 'x86_64', disk: 'debian-x86_64/disk.qcow2', kernel: 'debian-x86_64/kernel', initrd: 'debian-x86_64/initrd.img' } },
        vm: { domainType: 'qemu', imagesDir: IMAGES_DIR, bootTimeout: '3m' },
        builders: [{ name: 'unit', vm: { image: 'debian-x86_64' }, steps: [{ name: 'test', run: 'true' }] }],
      }),
    );
    const start = () => startWorkerProcess(config, worker, master.url);
    let child = start();
    try {
      await waitUntil(() => master.hellos.length === 1, 'the worker to say hello', 60_000);
      expect(master.hellos[0]).toMatchObject({ images: ['debian-x86_64'], arch: ['x86_64'] });
      master.send({ type: 'build.start', build: vmBuild('debian-x86_64', [step('0', 'long', { run: 'echo started; sleep 1000' })], { buildId: 11 }) });
      await waitUntil(() => master.log.log(11, '0').includes('started'), 'the step to start in the VM', 240_000);

      child.process.kill('SIGKILL');
      await child.exited;
      const domain = buildDomainName(worker, 11, 1);
      expect(domainsNamed(domainPrefix(worker))).toEqual([domain]);
      expect(filesIn(vmDir)).toContain(`${domain}.qcow2`);
      // A restore agent's socket that a crash left (libvirt removes it only when the domain ends).
      const staleSocket = path.join(vmDir, `${snapshotDomainName(worker, 3)}${AGENT_SOCKET_SUFFIX}`);
      writeFileSync(staleSocket, '');

      child = start();
      await waitUntil(() => child.output().includes('removed leftovers of an earlier run'), 'the sweep at start', 60_000);
      expect(child.output()).toContain(`domains [${domain}]`);
      expectNothingLeft(worker, vmDir);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
      await master.close();
      expectNothingLeft(worker, vmDir);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** The real worker entry (runWorkerFromConfig, as `gatehouse worker`), in its own process. */
function startWorkerProcess(config: string, name: string, master: string): { process: ChildProcess; exited: Promise<void>; output: () => string } {
  const viteNode = path.resolve('node_modules/vite-node/vite-node.mjs');
  if (!existsSync(viteNode)) throw new Error(`${viteNode} is missing (it comes with vitest)`);
  const child = spawn(process.execPath, [viteNode, 'test/support/vm-worker-process.ts', config, name, master], {
    env: { ...process.env, KILL_SECRET: 'kill-secret', GH_WEBHOOK_SECRET: 'unused' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return { process: child, exited, output: () => output };
}
