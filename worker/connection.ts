// The worker's one WebSocket to the master (see shared/protocol.ts for the lifecycle). It dials,
// says hello, resumes the outbox after `welcome`, hands build.start/build.cancel to the worker, and
// dials again with backoff whenever the link drops, a 401 included: the operator may be fixing the
// config. Only a `refused` (or a master on another protocol) stops it for good.
import WebSocket from 'ws';
import { type BuildSpec, type Hello, type ImagesReport, LOG_FRAMES_FEATURE, logFrameAsJson, parseMasterMessage, PROTOCOL_VERSION, WORKER_NAME_HEADER, WORKER_PATH } from '../shared/protocol.js';
import { type Backoff, type BackoffOptions, type BackoffPolicy, createBackoff } from '../shared/backoff.js';
import type { Logger } from '../shared/logger.js';
import type { Outbox, Wire } from './outbox.js';

/** The worker's pace of retries (dials, uploads): full jitter, so workers cut off by one master restart do not all come back at once. */
export const WORKER_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000, jitter: 1 };

/** The worker's backoff with parts of its policy overridden (tests make it faster). */
export function createWorkerBackoff(overrides: Partial<BackoffOptions> = {}): Backoff {
  return createBackoff({ ...WORKER_BACKOFF, ...overrides });
}

/** What the worker announces; asked on every connect, so `running` is current. */
export type HelloInfo = Omit<Hello, 'type' | 'protocol' | 'name'>;

export interface ConnectionOptions {
  /** ws://host:8010 (http:// works too); /api/worker is appended. */
  masterUrl: string;
  name: string;
  secret: string;
  outbox: Outbox;
  hello: () => HelloInfo;
  onBuildStart: (build: BuildSpec) => void;
  onBuildCancel: (buildId: number, reason: string) => void;
  logger: Logger;
  /** Default: 500 ms base, 30 s cap, full jitter. */
  backoff?: Backoff;
  /** Ping the master this often; no pong by the next ping means the link is dead (default 30 s). */
  pingIntervalMs?: number;
}

export interface Connection {
  /** True between `welcome` and the socket closing. */
  readonly welcomed: boolean;
  /** Resolves after close(); rejects with WorkerRefusedError when the master refused this worker. */
  readonly stopped: Promise<void>;
  /** Send an unsequenced snapshot now, if connected to a master that listed the feature; else dropped (the next hello carries it). */
  notify(message: ImagesReport): void;
  /** Whether the master's last welcome listed this feature (kept while it is away: builds go on meanwhile). */
  accepts(feature: string): boolean;
  close(): Promise<void>;
}

/** WebSocket close code "Try Again Later": the master stored nothing from the first unacked message on; a normal reconnect. */
const TRY_AGAIN_LATER = 1013;

export class WorkerRefusedError extends Error {
  override name = 'WorkerRefusedError';
}

export function connectToMaster(options: ConnectionOptions): Connection {
  const { name, outbox, logger } = options;
  const url = workerUrl(options.masterUrl);
  const backoff = options.backoff ?? createWorkerBackoff();
  let socket: WebSocket | undefined;
  let welcomed = false;
  let features: string[] = [];
  let stopping = false;
  /** Welcomed with messages to resend, none acked yet. */
  let progressPending = false;
  let retry: NodeJS.Timeout | undefined;
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const stopped = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  stopped.catch(() => {}); // the caller may never look; a refusal is also logged

  function dial(): void {
    retry = undefined;
    // A zero mask: masking guards proxies against a browser's scripts, and XORing every byte of a
    // large log twice (here and at the master) is not free.
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${options.secret}`, [WORKER_NAME_HEADER]: name }, handshakeTimeout: 10_000, generateMask: (mask) => void mask.fill(0) });
    socket = ws;
    const seen: { opened: boolean; status?: number; error?: Error } = { opened: false };
    let alive = true;
    let ping: NodeJS.Timeout | undefined;
    ws.on('unexpected-response', (_req, res) => {
      seen.status = res.statusCode;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      seen.opened = true;
      ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, name, ...options.hello() } satisfies Hello));
      ping = setInterval(() => {
        if (!alive) {
          logger.warn(`no pong from the master within ${options.pingIntervalMs ?? 30_000} ms; dropping the connection`);
          return ws.terminate();
        }
        alive = false;
        ws.ping();
      }, options.pingIntervalMs ?? 30_000);
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data) => onMessage(ws, String(data)));
    ws.on('error', (error) => (seen.error = error));
    ws.on('close', (code, reason) => {
      clearInterval(ping);
      progressPending = false;
      outbox.detach();
      welcomed = false;
      if (socket === ws) socket = undefined;
      if (stopping) return;
      const delay = backoff.next();
      const then = `retrying in ${(delay / 1000).toFixed(1)}s`;
      if (seen.status === 401) logger.error(`master refused worker ${name}: wrong name or secret (HTTP 401 from ${url}); ${then}`);
      else if (seen.status !== undefined) logger.warn(`master answered HTTP ${seen.status} at ${url} instead of a WebSocket upgrade; ${then}`);
      else if (!seen.opened) logger.warn(`cannot reach the master at ${url}: ${seen.error?.message ?? 'closed'}; ${then}`);
      else if (code === TRY_AGAIN_LATER) logger.warn(`the master could not store a message (${String(reason) || code}); sending again from it, ${then}`);
      else logger.warn(`connection to the master lost (${code}${reason.length ? ` ${String(reason)}` : ''}); ${then}`);
      retry = setTimeout(dial, delay);
    });
  }

  function onMessage(ws: WebSocket, text: string): void {
    let message;
    try {
      message = parseMasterMessage(text);
    } catch (error) {
      return logger.warn(`ignored a malformed message from the master: ${(error as Error).message}`);
    }
    switch (message?.type) {
      case 'welcome': {
        if (message.protocol !== PROTOCOL_VERSION) return refuse(ws, protocolMismatch(message.protocol));
        welcomed = true;
        features = message.features ?? [];
        const frames = features.includes(LOG_FRAMES_FEATURE);
        const send = (wire: Wire) => ws.readyState === WebSocket.OPEN && ws.send(frames || typeof wire === 'string' ? wire : logFrameAsJson(wire));
        const resent = outbox.resume(message.ackedSeq, send);
        // With messages to resend, the link counts as working once the master stores one: a master
        // that cannot store them (its disk full) closes with 1013, and the dials back off meanwhile.
        if (resent === 0) backoff.reset();
        else progressPending = true;
        logger.info(`connected to the master at ${url} as ${name}${resent ? `; sent ${resent} unacknowledged message(s) again` : ''}`);
        for (const id of message.cancel) options.onBuildCancel(id, 'the master no longer wants this build');
        return;
      }
      case 'refused':
        return refuse(ws, message.reason);
      case 'ack':
        if (progressPending) {
          progressPending = false;
          backoff.reset();
        }
        return outbox.ack(message.seq);
      case 'build.start':
        return options.onBuildStart(message.build);
      case 'build.cancel':
        return options.onBuildCancel(message.buildId, message.reason);
    }
  }

  function refuse(ws: WebSocket, reason: string): void {
    stopping = true;
    logger.error(`master refused worker ${name}: ${reason}`);
    ws.close(1000, 'refused');
    settle?.reject(new WorkerRefusedError(`master refused worker ${name}: ${reason}`));
  }

  dial();

  return {
    get welcomed() {
      return welcomed;
    },
    stopped,
    accepts(feature) {
      return features.includes(feature);
    },
    notify(message) {
      if (welcomed && features.includes(message.type) && socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
    async close() {
      stopping = true;
      clearTimeout(retry);
      const ws = socket;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.close(1000, 'worker shutting down');
        const timer = setTimeout(() => ws.terminate(), 2000);
        await closed;
        clearTimeout(timer);
      }
      settle?.resolve();
    },
  };
}

/** The worker endpoint under the master's base URL (which may carry a path prefix behind a proxy). */
export function workerUrl(masterUrl: string): string {
  const url = new URL(masterUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  const base = url.pathname.replace(/\/+$/, '');
  if (!base.endsWith(WORKER_PATH)) url.pathname = `${base}${WORKER_PATH}`;
  return url.toString();
}

function protocolMismatch(master: number): string {
  const upgrade = master > PROTOCOL_VERSION ? 'upgrade gatehouse on this worker' : 'upgrade the master';
  return `the master speaks protocol ${master}, this worker ${PROTOCOL_VERSION}: ${upgrade}`;
}
