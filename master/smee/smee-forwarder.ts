// The smee.io forwarder: subscribes to a smee channel and posts each delivery to the master's
// /change_hook/github with the original headers (signatures included), using the real smee-client.
//
// What smee-client 5 / eventsource 4 do by themselves, and what this adds:
// - After the stream ends or the fetch fails, EventSource retries on its own, but every 3 s forever
//   (smee-client's `reconnectInterval = 0` sets a property EventSource never reads). A non-200
//   answer (smee.io deploying, a 502 from its proxy) or a wrong content type is final: EventSource
//   closes for good and nothing ever reconnects. So on any error we drop the client and start a
//   fresh one ourselves, with exponential backoff and equal jitter (shared/backoff.ts).
// - A half-open TCP connection looks connected forever. smee.io pings every 30 s; when nothing
//   (ping, ready or message) arrives for `idleTimeoutMs`, we treat the stream as dead.
// - State for /api/v2/forwarder and the UI.
// Forwarding itself is smee-client's: one POST per message, `JSON.stringify(body)` with the other
// keys as headers (host dropped, content-length recomputed, content-type forced to JSON). A failed
// POST is logged and not retried: the master's reconcile loop covers lost deliveries.

import { fetch as undiciFetch } from 'undici';
import type { ApiForwarderState } from '../api/schemas/forwarder.js';
import { SmeeClient } from 'smee-client';
import { backoffDelay } from '../../shared/backoff.js';

export interface ForwarderLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface SmeeForwarderOptions {
  /** The smee channel URL, e.g. https://smee.io/AbC123. */
  source: string;
  /** Where deliveries go, e.g. http://127.0.0.1:8010/change_hook/github. */
  target: string;
  /** Default: console. */
  logger?: ForwarderLogger;
  /** First reconnect delay (default 1000 ms). */
  minBackoffMs?: number;
  /** Longest reconnect delay (default 60000 ms). */
  maxBackoffMs?: number;
  /** No ping, ready or message for this long means a dead stream (default 90000 ms; smee.io pings every 30 s). */
  idleTimeoutMs?: number;
}

/** What /api/v2/forwarder and the UI show (the API's schema is its one definition). */
export type ForwarderState = ApiForwarderState;

export interface SmeeForwarder {
  state(): ForwarderState;
  /** Stops for good: closes the stream and cancels any pending reconnect. */
  close(): Promise<void>;
}

type EventStream = Awaited<ReturnType<SmeeClient['start']>>;

/** Starts forwarding in the background and returns at once; `state()` says how it goes. */
export function startSmeeForwarder(options: SmeeForwarderOptions): SmeeForwarder {
  const { source, target, logger = console } = options;
  for (const [name, url] of [['source', source], ['target', target]] as const) {
    if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
      throw new Error(`smee forwarder: ${name} must be an http(s) URL, got "${url}"`);
    }
  }
  const minMs = options.minBackoffMs ?? 1000;
  const maxMs = Math.max(minMs, options.maxBackoffMs ?? 60_000);
  const idleMs = options.idleTimeoutMs ?? 90_000;
  const stableMs = 30_000; // a connection that lived this long resets the backoff

  const state: ForwarderState = {
    connected: false, url: source, target, lastEventAt: null, events: 0, reconnects: 0, lastError: null,
    forwarded: 0, refused: 0, failed: 0, lastFailure: null,
  };
  // smee-client posts each delivery with the fetch it is given: what the master answered is counted
  // here (its own log line says only "POST url - status").
  const failure = (status: number | null, error: string) => {
    state.lastFailure = { at: new Date().toISOString(), status, error };
  };
  const forwardingFetch = (async (url, init) => {
    if (init?.method !== 'POST') return undiciFetch(url, init);
    try {
      const response = await undiciFetch(url, init);
      if (response.ok) state.forwarded += 1;
      else {
        if (response.status < 500) state.refused += 1;
        else state.failed += 1;
        failure(response.status, `the master answered ${response.status}: ${(await response.clone().text().catch(() => '')).slice(0, 200)}`);
      }
      return response;
    } catch (error) {
      state.failed += 1;
      failure(null, (error as Error).message);
      throw error;
    }
  }) as typeof undiciFetch;
  let client: SmeeClient | null = null;
  let opened = 0; // streams opened so far
  let openedAt = 0;
  let lastSeen = 0;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const connect = (): void => {
    retryTimer = undefined;
    if (closed) return;
    const c = new SmeeClient({ source, target, logger: smeeLogger(logger, target), fetch: forwardingFetch });
    client = c;
    c.onopen = () => {
      if (client !== c) return;
      opened += 1;
      if (opened > 1) state.reconnects += 1;
      state.connected = true;
      state.lastError = null; // it says why the stream is down; it is up again
      openedAt = lastSeen = Date.now();
    };
    c.onmessage = () => {
      if (client !== c) return;
      lastSeen = Date.now();
      state.events += 1;
      state.lastEventAt = new Date(lastSeen).toISOString();
    };
    // Let EventSource finish dispatching (it sets its own retry timer right after) before stopping.
    c.onerror = (ev) => {
      const e = ev as { message?: string; code?: number };
      const why = e.message ?? (e.code ? `HTTP ${e.code}` : 'connection error');
      setImmediate(() => drop(c, why));
    };
    c.start().then(
      (events: EventStream) => {
        const seen = () => { if (client === c) lastSeen = Date.now(); };
        events.addEventListener('ping', seen);
        events.addEventListener('ready', seen);
      },
      () => {}, // the error handler above already dropped it
    );
  };

  const drop = (c: SmeeClient, why: string): void => {
    if (client !== c || closed) return;
    client = null;
    if (state.connected && Date.now() - openedAt >= stableMs) attempt = 0;
    state.connected = false;
    state.lastError = why;
    void c.stop();
    const delay = backoffDelay(attempt++, { baseMs: minMs, maxMs, jitter: 0.5, minMs });
    logger.warn(`smee: ${source} unavailable (${why}); reconnecting in ${human(delay)}`);
    retryTimer = setTimeout(connect, delay);
  };

  const watchdog = setInterval(() => {
    if (client && state.connected && Date.now() - lastSeen > idleMs) {
      drop(client, `no ping from the channel for ${human(idleMs)}`);
    }
  }, Math.max(50, Math.min(idleMs / 3, 10_000)));
  watchdog.unref();

  connect();
  return {
    state: () => ({ ...state }),
    async close() {
      closed = true;
      clearInterval(watchdog);
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = null;
      state.connected = false;
      if (c) await c.stop();
    },
  };
}

function human(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

// smee-client logs each forward ("POST <target> - 200") at info, which is worth keeping, and its
// connection errors, which drop() reports better.
function smeeLogger(logger: ForwarderLogger, target: string): Pick<Console, 'info' | 'error'> {
  const ours = new Set(['Connection closed', 'Error in connection']);
  const one = (a: unknown): string =>
    a instanceof Error ? a.message + (a.cause instanceof Error ? ` (${a.cause.message})` : '') : String(a);
  const text = (args: unknown[]) => args.map(one).join(' ');
  return {
    info: (...args: unknown[]) => { if (!ours.has(String(args[0]))) logger.info(`smee: ${text(args)}`); },
    error: (...args: unknown[]) => {
      if (!ours.has(String(args[0]))) logger.error(`smee: forwarding to ${target} failed: ${text(args)}`);
    },
  };
}
