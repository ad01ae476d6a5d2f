// An in-process master for reporting tests: the real createMaster on a data dir, with reporting
// timings shortened, its log lines captured, and helpers that drive a build through the stores the
// way the dispatcher and a worker would (claim, steps, logs, JUnit, finish), emitting the same events.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigInput } from '../../shared/config.js';
import { parseConfig } from '../../shared/config.js';
import type { BuildResult, StepResult } from '../../shared/protocol.js';
import { createMaster, type Master } from '../../master/create-master.js';
import { createLogger } from '../../shared/logger.js';
import type { BuildRow } from '../../master/store/build-store.js';
import { createLogStore } from '../../master/logs/log-store.js';
import type { GitHubLookups } from '../../master/triggers/github-lookups.js';
import type { ReportingGitHub, ReportingOptions } from '../../master/start-reporting.js';
import { makeTempDir } from './temp-dir.js';
import { TEST_REPO, TEST_SECRETS, testConfig } from './test-config.js';
import { examplePayload, webhookHeaders } from './sign-webhook.js';

export const FAST_REPORTING: ReportingOptions = {
  statusRetry: { baseMs: 50, maxMs: 400 },
  logsRetry: { baseMs: 50, maxMs: 400 },
  sweepIntervalMs: 60_000,
  pruneDelayMs: 1e9,
};

export interface ReportMasterOptions {
  /** Merged over testConfig(); github.reconcileInterval is 0 unless given. */
  config?: Partial<ConfigInput>;
  github?: GitHubLookups & ReportingGitHub;
  dataDir?: string;
  reporting?: ReportingOptions;
  /** More environment for secrets (beside TEST_SECRETS). */
  env?: Record<string, string>;
}

export interface ReportMaster extends Master {
  dataDir: string;
  /** Every line the master logged (pino JSON), debug level and up. */
  logLines: string[];
  send(event: string, payload: unknown): Promise<number>;
  stop(): Promise<void>;
}

export async function startReportMaster(options: ReportMasterOptions = {}): Promise<ReportMaster> {
  const temp = options.dataDir ? null : makeTempDir('gatehouse-report-');
  const base = testConfig(options.config);
  const input = {
    ...base,
    github: { reconcileInterval: 0, ...base.github },
    dataDir: options.dataDir ?? (temp as { path: string }).path,
  } as ConfigInput;
  const { config, secrets } = parseConfig(input, 'test config', { env: { ...TEST_SECRETS, ...options.env } });
  const logLines: string[] = [];
  const master = await createMaster({
    config, secrets, github: options.github,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    reporting: { ...FAST_REPORTING, ...options.reporting },
  });
  await master.app.ready();
  return {
    ...master,
    dataDir: config.dataDir,
    logLines,
    async send(event, payload) {
      const body = JSON.stringify(payload);
      const res = await master.app.inject({ method: 'POST', url: '/change_hook/github', payload: body, headers: webhookHeaders(event, body, TEST_SECRETS.GH_WEBHOOK_SECRET) });
      await master.processor.kick();
      return res.statusCode;
    },
    async stop() {
      await master.close();
      temp?.remove();
    },
  };
}

export interface PrSpec {
  number: number;
  sha: string;
  action?: string;
  title?: string;
  author?: string;
  association?: string;
  /** Default: the base repository itself. */
  headRepo?: string;
  base?: string;
  draft?: boolean;
}

/** A real pull_request webhook payload, edited to this PR. */
export function prPayload(pr: PrSpec): Record<string, unknown> {
  const p = examplePayload('pull_request', 'opened');
  p.action = pr.action ?? 'opened';
  p.number = pr.number;
  p.repository.full_name = TEST_REPO;
  p.pull_request.number = pr.number;
  p.pull_request.head.sha = pr.sha;
  p.pull_request.head.repo.full_name = pr.headRepo ?? TEST_REPO;
  p.pull_request.user.login = pr.author ?? 'octocat';
  p.pull_request.author_association = pr.association ?? 'OWNER';
  p.pull_request.title = pr.title ?? 'A change';
  p.pull_request.base.ref = pr.base ?? 'master';
  p.pull_request.draft = pr.draft ?? false;
  p.pull_request.labels = [];
  return p;
}

export function buildsOf(master: Master): BuildRow[] {
  return master.db.prepare<[], BuildRow>('SELECT * FROM builds ORDER BY id').all();
}

/** The dispatcher's part: a worker takes the build. */
export function startBuild(master: Master, buildId: number, worker = 'w1'): BuildRow {
  const build = master.builds.get(buildId) as BuildRow;
  if (!master.builds.claim(build.request_id, build.id, worker)) throw new Error(`build ${buildId} could not be claimed`);
  const row = master.builds.get(buildId) as BuildRow;
  master.bus.emit({ type: 'build', build: row });
  return row;
}

export interface StepSpec {
  id: string;
  name: string;
  result: StepResult;
  exitCode?: number | null;
  reason?: string;
  durationMs?: number;
  log?: string;
}

/** A worker's part for one step: its row and its log file, as apply-worker-message stores them. */
export function addStep(master: Master & { dataDir: string }, buildId: number, step: StepSpec): void {
  const logs = createLogStore(path.join(master.dataDir, 'logs'));
  const bytes = step.log === undefined ? 0 : logs.append(buildId, step.id, 0, { seq: 1, stream: 'stdout', data: Buffer.from(step.log) });
  const t = Date.now();
  master.db
    .prepare(
      `INSERT INTO steps (build_id, step, name, state, result, exit_code, reason, started_at, finished_at, duration_ms, log_bytes)
       VALUES (?, ?, ?, 'finished', ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(buildId, step.id, step.name, step.result, step.exitCode === undefined ? (step.result === 'success' ? 0 : 1) : step.exitCode, step.reason ?? null, t - (step.durationMs ?? 1500), t, step.durationMs ?? 1500, bytes);
}

/** A collected JUnit file, stored where the master stores artifacts. */
export function addJunit(master: Master & { dataDir: string }, buildId: number, step: string, relative: string, xml: string): void {
  const file = path.join(master.dataDir, 'artifacts', String(buildId), relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, xml);
  master.db
    .prepare('INSERT INTO artifacts (build_id, step, kind, path, size, stored_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(buildId, step, 'junit', relative, Buffer.byteLength(xml), file, Date.now());
}

export function finishBuild(master: Master, buildId: number, result: BuildResult, reason: string | null = null): BuildRow {
  master.builds.finish(buildId, result, reason);
  const row = master.builds.get(buildId) as BuildRow;
  master.bus.emit({ type: 'build', build: row });
  return row;
}

/** JUnit XML with `passed` passing cases and the given failures. */
export function junitXml(passed: number, failures: Array<{ name: string; message: string; detail?: string }> = []): string {
  const cases = [
    ...Array.from({ length: passed }, (_, i) => `    <testcase classname="tests.unit" name="test_ok_${i}" time="0.01"/>`),
    ...failures.map((f) => `    <testcase classname="tests.unit" name="${f.name}"><failure message="${f.message}" type="AssertionError">${f.detail ?? f.message}</failure></testcase>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="unit" tests="${cases.length}" failures="${failures.length}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** Polls an (async) condition every 20 ms; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A metric of the master's registry (the one value of a metric without labels), as a scrape would read it now. */
export async function metricValue(m: Master, name: string): Promise<number | undefined> {
  const metric = m.metrics.registry.getSingleMetric(name);
  return (await metric?.get())?.values[0]?.value;
}
