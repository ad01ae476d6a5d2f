// `npm run fuzz`: hostile traffic against a real `gatehouse master` process on 127.0.0.1, bounded
// in count and time. Three phases: mutated deliveries (forged, cut, altered, replayed, malformed,
// foreign), a flood of large unsigned bodies (the master's peak RSS and /healthz latency meanwhile),
// and bodies that trickle in (cut off by the deadline). The report's first three numbers must be 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCaseMaker, type FuzzCase } from './webhook-cases.js';

// From dist/fuzz/ when run by `npm run fuzz`, from fuzz/ when a test imports the source.
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, path.basename(path.dirname(here)) === 'dist' ? '../../bin/gatehouse.js' : '../bin/gatehouse.js');
const SECRET = 'fuzz-webhook-secret';
const REPO = 'Codertocat/Hello-World';
const MiB = 1024 * 1024;

export interface FuzzOptions {
  /** Mutated deliveries to send (default 10,000). */
  requests?: number;
  /** In flight at once (default 16). */
  concurrency?: number;
  /** Large unsigned bodies sent at once in the flood (default 64), each this big (default 24 MiB). */
  floodConnections?: number;
  floodBodyMiB?: number;
  /** Bodies that trickle in (default 8). */
  slowBodies?: number;
  seed?: number;
  /** Only these kinds of case (default: all). */
  kinds?: string[];
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  seconds: number;
  /** Unsigned requests answered 2xx. */
  acceptedForgeries: number;
  /** 5xx answers to mutated deliveries (the flood's 503s are by design and counted apart). */
  serverErrors: number;
  /** Rows the database holds beyond what the accepted requests may have written. */
  rowsFromRefused: number;
  /** Answers outside what the case allows, by kind (not failures by themselves: a finding to read). */
  unexpected: Record<string, Record<string, number>>;
  byKind: Record<string, number>;
  flood: { sent: number; refused503: number; peakRssMiB: number; healthzMaxMs: number; healthzP50Ms: number };
  slow: { sent: number; cutOffWithinMs: number };
  idleRssMiB: number;
  /** The master's peak RSS after the mutations, before the flood. */
  peakAfterMutationsMiB: number;
}

interface MasterProcess {
  url: string;
  port: number;
  child: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

async function startMaster(): Promise<MasterProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-fuzz-'));
  const config = {
    http: { port: 0, host: '127.0.0.1', adminToken: { env: 'ADMIN_TOKEN' }, webhookBodyTimeout: '5s', headersTimeout: '5s' },
    dataDir: path.join(dir, 'data'),
    github: { repo: REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' } },
    workers: [{ name: 'w1', secret: { env: 'WORKER_SECRET' } }],
    builders: [{ name: 'fuzz', executor: 'host', steps: [{ name: 'true', run: 'true' }] }],
  };
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const env = { ...process.env, GH_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN: 'fuzz-admin', WORKER_SECRET: 'fuzz-worker' };
  // Through its shebang, so the master runs with the node flags it ships with.
  const child = spawn(CLI, ['master', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"address":"(http:\/\/[^"]+)".*gatehouse master listening/.exec(out);
      if (m) resolve(m[1] as string);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`master exited ${code}: ${out}`)));
  });
  // Keep draining its output (a full pipe would stall it), and stop reading it at the end.
  child.stdout.resume();
  child.stderr.resume();
  return {
    url, child, dir,
    port: Number(new URL(url).port),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const rssMiB = (pid: number | undefined, field: 'VmHWM' | 'VmRSS') =>
  Math.round((Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024) * 10) / 10;

function send(agent: http.Agent, port: number, c: FuzzCase): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/change_hook/github', agent, headers: { ...c.headers, 'content-length': c.body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0)); // 0: the connection was cut (a refusal with `connection: close` may race the write)
    req.end(c.body);
  });
}

async function totals(url: string): Promise<{ deliveries: number; changes: number }> {
  const total = async (what: string) => ((await (await fetch(`${url}/api/v2/${what}?limit=1`)).json()) as { meta: { total: number } }).meta.total;
  return { deliveries: await total('deliveries'), changes: await total('changes') };
}

async function mutationPhase(master: MasterProcess, options: Required<FuzzOptions>) {
  const maker = createCaseMaker(SECRET, REPO, options.seed, options.kinds.length > 0 ? options.kinds : undefined);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const byKind: Record<string, number> = {};
  const unexpected: Record<string, Record<string, number>> = {};
  let acceptedForgeries = 0;
  let serverErrors = 0;
  const deliveryIds = new Set<string>();
  let changeIds = new Set<string>();
  let sent = 0;
  const worker = async () => {
    while (sent < options.requests) {
      sent += 1;
      const c = maker.next();
      const status = await send(agent, master.port, c);
      byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      if (!c.signed && status >= 200 && status < 300) acceptedForgeries += 1;
      if (status >= 500) serverErrors += 1;
      if (!c.expect.includes(status)) {
        const counts = (unexpected[c.kind] ??= {});
        counts[String(status)] = (counts[String(status)] ?? 0) + 1;
      }
      const id = c.headers['x-github-delivery'];
      if (id && status >= 200 && status < 300 && c.stores !== 'nothing') deliveryIds.add(id);
      if (id && status === 200 && c.stores === 'change') changeIds.add(id);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  const stored = await totals(master.url);
  changeIds = new Set([...changeIds].filter((id) => deliveryIds.has(id)));
  const rowsFromRefused = Math.max(0, stored.deliveries - deliveryIds.size) + Math.max(0, stored.changes - changeIds.size);
  return { byKind, unexpected, acceptedForgeries, serverErrors, rowsFromRefused };
}

/** Large unsigned bodies all at once, while /healthz is asked every 20 ms. */
async function floodPhase(master: MasterProcess, options: Required<FuzzOptions>) {
  const body = Buffer.alloc(options.floodBodyMiB * MiB, 0x20);
  body.write('{"zen":"', 0);
  body.write('"}', body.length - 2);
  const headers = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': '00000000-0000-0000-0000-000000000000', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
  const latencies: number[] = [];
  let flooding = true;
  const probe = (async () => {
    while (flooding) {
      const t0 = performance.now();
      await fetch(`${master.url}/healthz`).then((r) => r.arrayBuffer());
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const agent = new http.Agent({ keepAlive: false, maxSockets: options.floodConnections });
  let refused503 = 0;
  for (let round = 0; round < 3; round++) {
    const statuses = await Promise.all(Array.from({ length: options.floodConnections }, () =>
      send(agent, master.port, { kind: 'flood', body, headers: { ...headers }, signed: false, stores: 'nothing', expect: [401, 503] })));
    refused503 += statuses.filter((s) => s === 503 || s === 0).length;
  }
  flooding = false;
  await probe;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    sent: options.floodConnections * 3,
    refused503,
    peakRssMiB: rssMiB(master.child.pid, 'VmHWM'),
    healthzMaxMs: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    healthzP50Ms: Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10,
  };
}

/** Bodies that announce 1 KiB and send a byte a second: each must be cut off by the master. */
async function slowPhase(master: MasterProcess, count: number): Promise<{ sent: number; cutOffWithinMs: number }> {
  const started = performance.now();
  const ends = await Promise.all(Array.from({ length: count }, () => new Promise<number>((resolve) => {
    const socket = net.connect(master.port, '127.0.0.1', () => {
      socket.write('POST /change_hook/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n{');
    });
    const drip = setInterval(() => socket.writable && socket.write(' '), 1000);
    const cap = setTimeout(() => socket.destroy(), 60_000); // bounded even if the master never cuts it
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(cap);
      resolve(performance.now() - started);
    });
  })));
  return { sent: count, cutOffWithinMs: Math.round(Math.max(...ends)) };
}

export async function runWebhookFuzz(input: FuzzOptions = {}): Promise<FuzzReport> {
  const options: Required<FuzzOptions> = {
    requests: 10_000, concurrency: 16, floodConnections: 64, floodBodyMiB: 24, slowBodies: 8,
    seed: Math.floor(Math.random() * 2 ** 31), kinds: [], log: () => undefined, ...input,
  };
  const master = await startMaster();
  try {
    const idleRssMiB = rssMiB(master.child.pid, 'VmRSS');
    const t0 = performance.now();
    options.log(`mutations: ${options.requests} requests, seed ${options.seed}`);
    const mutations = await mutationPhase(master, options);
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const peakAfterMutationsMiB = rssMiB(master.child.pid, 'VmHWM');
    options.log(`flood: ${options.floodConnections} × ${options.floodBodyMiB} MiB unsigned, 3 rounds`);
    const flood = await floodPhase(master, options);
    options.log(`slow bodies: ${options.slowBodies}`);
    const slow = await slowPhase(master, options.slowBodies);
    if (master.child.exitCode !== null) throw new Error(`the master exited (${master.child.exitCode}) during the fuzz`);
    return { seed: options.seed, requests: options.requests, seconds, ...mutations, peakAfterMutationsMiB, flood, slow, idleRssMiB };
  } finally {
    await master.stop();
  }
}
