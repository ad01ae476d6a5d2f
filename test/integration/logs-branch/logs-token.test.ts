// The GitHub token reaches git only through the askpass helper: a git server that demands HTTP Basic
// credentials gets it, and it is nowhere else: not in the pushed tree, the clone's .git/config, any
// file in the data dir, the argv of any git process (recorded by a wrapper, and sampled with ps while
// pushing), or the master's log.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '../../support/temp-dir.js';
import { createBareRepo } from '../../support/bare-git-repo.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { addStep, buildsOf, finishBuild, prPayload, startBuild, startReportMaster, waitUntil, type ReportMaster } from '../../support/report-test-master.js';

const TOKEN = TEST_SECRETS.GH_TOKEN;
const BRANCH = 'ci-logs';
const SHA = 'd'.repeat(40);
const FOLDER = `unit/1-${SHA.slice(0, 7)}-1`;
const run = promisify(execFile);

/** Every file under `dir`, recursively. */
function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? allFiles(file) : [file];
  });
}

describe('the token and git', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setUp(masterToken: string) {
    const dir = makeTempDir('gatehouse-token-');
    cleanup.push(() => dir.remove());
    const bare = createBareRepo(path.join(dir.path, 'srv'));
    bare.git('config', 'http.receivepack', 'true');
    const server: GitHttpServer = await startGitHttpServer(path.join(dir.path, 'srv'), TOKEN);
    cleanup.push(() => server.close());
    // A git that records its argv (and only whether it saw the token variable) before running the real one.
    const argvLog = path.join(dir.path, 'git-argv.log');
    const wrapper = path.join(dir.path, 'git-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s|token-env:%s\\n' "$*" "\${GATEHOUSE_GIT_TOKEN:+yes}" >> '${argvLog}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);
    const dataDir = path.join(dir.path, 'data');
    const m: ReportMaster = await startReportMaster({
      dataDir,
      config: {
        github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, token: { env: masterToken === TOKEN ? 'GH_TOKEN' : 'WRONG_TOKEN' } },
        logs: { remote: `${server.url}/logs.git`, branch: BRANCH },
      },
      env: { WRONG_TOKEN: masterToken },
      reporting: { gitBinary: wrapper },
    });
    cleanup.push(() => m.stop());
    return { dir: dir.path, bare, server, m, argvLog, dataDir };
  }

  it('goes to git through askpass only', async () => {
    const { bare, server, m, argvLog, dataDir } = await setUp(TOKEN);
    await m.send('pull_request', prPayload({ number: 1, sha: SHA }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    addStep(m, build!.id, { id: '0', name: 'test', result: 'success', log: 'ok\n' });
    finishBuild(m, build!.id, 'success');

    // Sample the process list while the master pushes.
    const seen: string[] = [];
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const { stdout } = await run('ps', ['-eo', 'args'], { maxBuffer: 16 * 1024 * 1024 });
        seen.push(...stdout.split('\n').filter((l) => /\bgit\b|git-remote/.test(l)));
      }
    })();
    await waitUntil(() => bare.tip(BRANCH) !== null && !bare.show(BRANCH, `${FOLDER}/README.md`).includes(': running'), 'the final folder', 20_000);
    await waitUntil(() => m.logLines.some((l) => l.includes('logs branch updated')), 'the master to log the push');
    done = true;
    await sampler;

    // The server asked, and git answered with the token, through the helper.
    expect(server.refused).toBeGreaterThan(0);
    expect(server.credentials).toContain(`x-access-token:${TOKEN}`);
    // Nowhere else:
    expect(bare.historyContains(TOKEN)).toBe(false);
    const clone = path.join(dataDir, 'logs-repo');
    expect(readFileSync(path.join(clone, '.git/config'), 'utf8')).not.toContain(TOKEN);
    expect(execFileSync('git', ['-C', clone, 'config', '--list'], { encoding: 'utf8' })).not.toContain(TOKEN);
    for (const file of allFiles(dataDir)) expect(readFileSync(file).includes(TOKEN), `${path.relative(dataDir, file)} holds the token`).toBe(false);
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('push --porcelain');
    expect(argv).not.toContain(TOKEN);
    // Only the git processes got the variable that carries it.
    expect(argv.split('\n').filter(Boolean).every((l) => l.endsWith('|token-env:yes'))).toBe(true);
    expect(seen.length, 'ps saw git running (else the sampling proves nothing)').toBeGreaterThan(0);
    expect(seen.filter((l) => l.includes(TOKEN))).toEqual([]);
    expect(m.logLines.join('')).not.toContain(TOKEN);
  });

  it('a wrong token is refused; the failure is logged without it, and retried', async () => {
    const wrong = 'ghp_wrongtoken111111111111111111111111';
    const { bare, server, m } = await setUp(wrong);
    await m.send('pull_request', prPayload({ number: 1, sha: SHA }));
    const [build] = buildsOf(m);
    startBuild(m, build!.id);
    finishBuild(m, build!.id, 'success');
    await waitUntil(() => m.logLines.filter((l) => l.includes('logs branch not updated')).length >= 2, 'two failed attempts');
    expect(server.credentials).toContain(`x-access-token:${wrong}`);
    expect(bare.tip(BRANCH)).toBeNull();
    const logged = m.logLines.join('');
    expect(logged).toContain('Authentication failed');
    expect(logged).not.toContain(wrong);
  });
});
