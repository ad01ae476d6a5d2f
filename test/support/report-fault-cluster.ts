// For the reporting fault tests: a real `gatehouse master` process (production GitHub client, one
// write a second), a real worker process, an upstream git repository and the GitHub stand-in, on
// 127.0.0.1, with helpers to open pull requests and read the master's API. stop() removes it all.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ConfigInput } from '../../shared/config.js';
import type { ApiBuildReporting } from '../../master/api/schemas/index.js';
import { makeTempDir } from './temp-dir.js';
import { createTestRepo, type TestRepo } from './worker-git-repo.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from './test-config.js';
import { webhookHeaders } from './sign-webhook.js';
import { startGitHubStandIn, type GitHubStandIn, type RecordedStatus } from './github-api-stand-in.js';
import { startMasterProcess, type MasterProcess } from './master-process.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';
import { prPayload } from './report-test-master.js';

export interface FaultApiBuild {
  id: number;
  sha: string;
  state: string;
  result: string | null;
  finished_at: number | null;
}

export interface ReportFaultCluster {
  dir: string;
  repo: TestRepo;
  gh: GitHubStandIn;
  master: MasterProcess;
  worker: WorkerProcess;
  /** Commit a new head to the upstream repository and send the pull_request webhook for it; returns its sha. */
  push(pr: number, action?: 'opened' | 'synchronize'): Promise<string>;
  builds(): Promise<FaultApiBuild[]>;
  reporting(buildId: number): Promise<ApiBuildReporting>;
  stop(): Promise<void>;
}

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});

/** The rank of a status in a build's life: queued 0, started 1, final 2. */
export const statusRank = (s: RecordedStatus) => (s.state !== 'pending' ? 2 : s.description?.startsWith('Build started') ? 1 : 0);

export interface ReportFaultOptions {
  builders: ConfigInput['builders'];
  /** The logs section, made in the cluster's temp dir (where a test puts its bare repository). */
  logs?: (dir: string) => ConfigInput['logs'];
}

export async function startReportFaultCluster(options: ReportFaultOptions): Promise<ReportFaultCluster> {
  const temp = makeTempDir('gatehouse-fault-report-');
  const parts: { gh?: GitHubStandIn; master?: MasterProcess; worker?: WorkerProcess } = {};
  const stop = async () => {
    await parts.worker?.kill('SIGKILL');
    await parts.master?.kill('SIGKILL');
    await parts.gh?.close();
    temp.remove();
  };
  try {
    const repo = createTestRepo(path.join(temp.path, 'upstream'));
    const gh = (parts.gh = await startGitHubStandIn({ repos: { [TEST_REPO]: {} } }));
    const port = await freePort();
    const configFile = path.join(temp.path, 'gatehouse.config.json');
    const base = testConfig({ workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' }, slots: 1 }], builders: options.builders, ...(options.logs ? { logs: options.logs(temp.path) } : {}) });
    writeFileSync(configFile, JSON.stringify({
      ...base, dataDir: path.join(temp.path, 'data'),
      github: { ...base.github, cloneUrl: repo.dir, apiUrl: gh.url, token: { env: 'GH_TOKEN' }, reconcileInterval: 0 },
    }));
    const master = (parts.master = await startMasterProcess(['master', '--config', configFile, '--port', String(port)]));
    const worker = (parts.worker = startWorkerProcess(configFile, 'w1', `ws://127.0.0.1:${port}`));
    await worker.waitFor('connected to the master');
    const api = `${master.url}/api/v2`;
    let pushes = 0;
    return {
      dir: temp.path, repo, gh, master, worker,
      async push(pr, action = 'opened') {
        pushes += 1;
        const sha = repo.commit({ [`pr-${pr}.txt`]: `push ${pushes}\n` }, `PR ${pr}, push ${pushes}`);
        repo.setRef(`refs/pull/${pr}/head`, sha);
        const body = JSON.stringify(prPayload({ number: pr, sha, action }));
        const res = await fetch(`${master.url}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET) });
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
        return sha;
      },
      builds: async () => ((await (await fetch(`${api}/builds?order=id&limit=100`)).json()) as { builds: FaultApiBuild[] }).builds,
      reporting: async (id) => (await (await fetch(`${api}/builds/${id}/reporting`)).json()) as ApiBuildReporting,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
