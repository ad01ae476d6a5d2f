// A real master listening on 127.0.0.1 (in this process) and real worker processes: the parts
// of a CI, for end-to-end tests of dispatch, logs and recovery.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigInput } from '../../shared/config.js';
import { loadConfig } from '../../shared/config.js';
import { startMaster, type RunningMaster } from '../../master/main.js';
import { endMarked, MARK_VARIABLE, newMark } from './step-processes.js';
import { makeTempDir } from './temp-dir.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from './test-config.js';
import { postPrOpened } from './sign-webhook.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';
import { createTestRepo, type TestRepo } from './worker-git-repo.js';

export interface ApiBuildRow {
  id: number;
  builder: string;
  state: string;
  result: string | null;
  result_reason: string | null;
  worker: string | null;
  pr: number;
  sha: string;
}

export interface CiCluster {
  master: RunningMaster;
  configFile: string;
  dataDir: string;
  port: number;
  repo: TestRepo;
  workers: WorkerProcess[];
  startWorker(name: string, options?: { port?: number; env?: NodeJS.ProcessEnv }): Promise<WorkerProcess>;
  /** Commit to the upstream repo as PR `n`'s head, and send a signed pull_request.opened for it. */
  openPr(n: number, files?: Record<string, string>): Promise<number>;
  builds(): Promise<ApiBuildRow[]>;
  waitForBuilds(check: (builds: ApiBuildRow[]) => boolean, timeoutMs?: number): Promise<ApiBuildRow[]>;
  log(buildId: number, step: string): Promise<string>;
  api<T>(url: string, init?: RequestInit): Promise<T>;
  stop(): Promise<void>;
}

export async function startCiCluster(overrides: Partial<ConfigInput>, env: NodeJS.ProcessEnv = {}): Promise<CiCluster> {
  const dir = makeTempDir();
  const configFile = path.join(dir.path, 'gatehouse.config.json');
  // The upstream repository: a real git repo on disk, where each PR gets a commit and a refs/pull ref.
  const repo = createTestRepo(path.join(dir.path, 'upstream'));
  const base = testConfig(overrides);
  writeFileSync(configFile, JSON.stringify({ ...base, github: { ...base.github, cloneUrl: repo.dir }, dataDir: path.join(dir.path, 'data') }));
  const loaded = await loadConfig(configFile, { env: { ...TEST_SECRETS, ...env } });
  const master = await startMaster(loaded);
  const port = (master.app.server.address() as { port: number }).port;
  const workers: WorkerProcess[] = [];
  // Every process the workers start carries this mark (git inherits the environment): a worker
  // killed mid-fetch leaves its git running, writing into the data dir, and it ends with the cluster.
  const mark = newMark();
  const api = async <T>(url: string, init?: RequestInit): Promise<T> => (await (await fetch(`${master.url}${url}`, init)).json()) as T;
  const builds = async () => (await api<{ builds: ApiBuildRow[] }>('/api/v2/builds?order=id&limit=1000')).builds;
  return {
    master, configFile, dataDir: loaded.config.dataDir, port, repo, workers, api, builds,
    async startWorker(name, options = {}) {
      const w = startWorkerProcess(configFile, name, `ws://127.0.0.1:${options.port ?? port}`, { ...env, ...options.env, [MARK_VARIABLE]: mark });
      workers.push(w);
      await w.waitFor('connected to the master');
      return w;
    },
    async openPr(n, files = {}) {
      const sha = repo.commit({ 'pr.txt': `pull request ${n}\n`, ...files }, `PR ${n}`);
      repo.setRef(`refs/pull/${n}/head`, sha);
      return postPrOpened(master.url, TEST_SECRETS.GH_WEBHOOK_SECRET, TEST_REPO, n, sha);
    },
    async waitForBuilds(check, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await builds();
        if (check(current)) return current;
        if (Date.now() > deadline) throw new Error(`builds not as expected after ${timeoutMs} ms: ${JSON.stringify(current.map((b) => [b.id, b.state, b.result, b.result_reason]))}\n${workers.map((w) => w.output()).join('\n---\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async log(buildId, step) {
      return (await fetch(`${master.url}/api/v2/builds/${buildId}/steps/${step}/log`)).text();
    },
    async stop() {
      await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      await master.close();
      await endMarked(mark);
      dir.remove();
    },
  };
}

export const allFinished = (n: number) => (b: ApiBuildRow[]) => b.length >= n && b.every((x) => x.state === 'finished');
