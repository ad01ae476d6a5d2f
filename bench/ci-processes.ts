// Real master and worker processes for benchmarks, on a temporary data dir and a local upstream repo.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SECRETS, benchConfig, benchDataDir } from './bench-config.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/gatehouse.js');

export interface BenchCi {
  url: string;
  master: ChildProcess;
  workers: ChildProcess[];
  /** A commit in the upstream repo, at refs/pull/<n>/head. */
  headFor(n: number): string;
  /** VmHWM (peak RSS) of the master, bytes: since it started, or since resetMasterPeakRss. */
  masterPeakRss(): number;
  /** VmRSS of the master now, bytes. */
  masterRss(): number;
  /** Start the master's VmHWM again from its RSS now (to measure the peak of one part of a bench). */
  resetMasterPeakRss(): void;
  /** VmHWM of worker i (0-based), bytes. */
  workerPeakRss(i: number): number;
  masterCpuSeconds(): number;
  workerCpuSeconds(i: number): number;
  /** CPU of the master and of every worker, each with the child processes it has reaped (git, steps), seconds. */
  cpuWithChildren(): { master: number; workers: number };
  /** Kills the processes and removes the data dir (a 1 GiB artifact bench left 1.1 GiB behind per run). */
  stop(): Promise<void>;
}

function git(dir: string, ...args: string[]): string {
  const identity = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@x.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@x.invalid' };
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...identity }, encoding: 'utf8' }).trim();
}

// Only until the line is seen: afterwards the output is drained and dropped, not kept and scanned
// again with every chunk (that work, in this process, competed with what is being measured).
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    const done = () => {
      for (const s of streams) s.off('data', onData).resume();
      child.off('exit', onExit);
    };
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) {
        done();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`exited ${code}: ${out}`));
    };
    for (const s of streams) s.on('data', onData);
    child.once('exit', onExit);
  });
}

/** BENCH_CPU_PROFILE=<dir>: the master and the workers write V8 CPU profiles there (open in Chrome's DevTools). */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE;

function spawnCli(args: string[], options: SpawnOptions): ChildProcess {
  if (!CPU_PROFILE_DIR) return spawn(CLI, args, options);
  return spawn(process.execPath, ['--max-semi-space-size=1', '--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`, CLI, ...args], options);
}

export interface BenchCiOptions {
  /** A GitHub API for the master, with a token (otherwise it has none and asks GitHub nothing). */
  githubApiUrl?: string;
  /** Give each pull request a head commit of its own (as a real burst has), not one shared head. */
  distinctHeads?: boolean;
}

export async function startBenchCi(workerCount: number, builders: unknown[], options: BenchCiOptions = {}): Promise<BenchCi> {
  const dir = benchDataDir();
  const upstream = path.join(dir, 'upstream');
  execFileSync('git', ['init', '-q', '-b', 'main', upstream]);
  writeFileSync(path.join(upstream, 'README.md'), 'bench\n');
  git(upstream, 'add', '.');
  git(upstream, 'commit', '-q', '-m', 'initial');
  const head = git(upstream, 'rev-parse', 'HEAD');
  const config = benchConfig(path.join(dir, 'data'), { builders });
  const configFile = path.join(dir, 'config.json');
  const api = options.githubApiUrl ? { token: { env: 'GH_TOKEN' }, apiUrl: options.githubApiUrl, reconcileInterval: 0 } : {};
  writeFileSync(configFile, JSON.stringify({ ...config, github: { ...config.github, cloneUrl: upstream, ...api }, workers: Array.from({ length: workerCount }, (_, i) => ({ name: `w${i + 1}`, secret: { env: 'WORKER_SECRET' }, slots: 1 })) }));
  const env = { ...process.env, ...BENCH_SECRETS };
  const master = spawnCli(['master', '--config', configFile, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = (await waitForOutput(master, /"address":"(http:\/\/[^"]+)".*gatehouse master listening/))[1] as string;
  const workers = Array.from({ length: workerCount }, (_, i) =>
    spawnCli(['worker', '--config', configFile, '--name', `w${i + 1}`, '--master', url.replace(/^http/, 'ws')], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  await Promise.all(workers.map((w) => waitForOutput(w, /connected to the master/)));
  return {
    url, master, workers,
    headFor(n) {
      const commit = options.distinctHeads ? git(upstream, 'commit-tree', '-p', head, '-m', `pull request ${n}`, `${head}^{tree}`) : head;
      git(upstream, 'update-ref', `refs/pull/${n}/head`, commit);
      return commit;
    },
    masterPeakRss: () => statusBytes(master.pid, 'VmHWM'),
    masterRss: () => statusBytes(master.pid, 'VmRSS'),
    resetMasterPeakRss: () => writeFileSync(`/proc/${master.pid}/clear_refs`, '5'),
    workerPeakRss: (i) => statusBytes(workers[i]?.pid, 'VmHWM'),
    masterCpuSeconds: () => cpuSeconds(master.pid),
    workerCpuSeconds: (i) => cpuSeconds(workers[i]?.pid),
    cpuWithChildren: () => ({
      master: cpuSeconds(master.pid, true),
      workers: workers.reduce((sum, w) => sum + cpuSeconds(w.pid, true), 0),
    }),
    async stop() {
      const all = [master, ...workers];
      const exited = all.map((p) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r))));
      // A CPU profile is written only on a clean exit: SIGTERM first, SIGKILL for whatever is still there.
      if (CPU_PROFILE_DIR) await Promise.race([Promise.all(all.map((p, i) => (p.kill('SIGTERM'), exited[i]))), new Promise((r) => setTimeout(r, 10_000))]);
      for (const p of all) p.kill('SIGKILL');
      await Promise.all(exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * User + system CPU time a process has used: unlike wall time, barely moved by other load on the
 * machine. With `children`, also that of the child processes it has waited for (git, steps).
 */
function cpuSeconds(pid: number | undefined, children = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  // utime, stime, cutime, cstime in clock ticks (USER_HZ = 100)
  const ticks = (fields[11] as number) + (fields[12] as number) + (children ? (fields[13] as number) + (fields[14] as number) : 0);
  return ticks / 100;
}

/** A size line of /proc/<pid>/status (VmRSS, VmHWM), bytes. */
function statusBytes(pid: number | undefined, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** Follow /api/v2/events; calls `onEvent` for each. */
export async function followEvents(url: string, onEvent: (type: string, data: any) => void): Promise<() => void> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v2/events`, { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (type && data) onEvent(type, JSON.parse(data));
        }
      }
    } catch {
      // aborted
    }
  })();
  return () => controller.abort();
}
