// A local stand-in for smee.io, speaking its channel protocol (probot/smee.io lib/server.js):
//   GET  /new                                  → 307 to a fresh random channel
//   GET  /<channel>  Accept: text/event-stream → `event: ready`, one `data:` line per POST, `event: ping`
//   POST /<channel>                            → relayed to the channel's subscribers, or dropped
// Each message is one flat JSON object: the POST's headers (lower-case) + body + query + timestamp.
// Like smee.io it parses the body and re-serializes it, buffers nothing, and validates what it takes.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SmeeRelayOptions {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** `event: ping` period in ms (default 30000, as smee.io); 0 sends none. */
  pingIntervalMs?: number;
}

export interface SmeeRelay {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** A fresh channel URL (what GET /new redirects to). */
  newChannel(): string;
  /** Open streams on one channel, or on all. */
  subscriberCount(channel?: string): number;
  /** Messages relayed to at least one subscriber. */
  relayed(): number;
  /** Drops every stream and stops listening, then listens again on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = /^[A-Za-z0-9_-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^sha256=[0-9a-f]{64}$/i;
const BODY_LIMIT = 1024 * 1024; // fastify's default bodyLimit, which smee.io keeps

export async function startSmeeRelay(options: SmeeRelayOptions = {}): Promise<SmeeRelay> {
  const streams = new Map<string, Set<ServerResponse>>();
  const ids = new WeakMap<ServerResponse, number>();
  let relayed = 0;
  let base = '';

  const write = (res: ServerResponse, event: string | null, data: string) => {
    const id = ids.get(res) ?? 0;
    ids.set(res, id + 1);
    res.write(`id: ${id}\n${event ? `event: ${event}\n` : ''}data: ${data}\n\n`);
  };

  const subscribe = (channel: string, req: IncomingMessage, res: ServerResponse) => {
    req.socket.setTimeout(0);
    res.writeHead(200, {
      'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive',
    });
    const set = streams.get(channel) ?? new Set<ServerResponse>();
    streams.set(channel, set.add(res));
    res.on('close', () => set.delete(res));
    write(res, 'ready', '{}');
  };

  const publish = async (channel: string, req: IncomingMessage, res: ServerResponse, url: URL) => {
    const reply = (status: number, message = '') =>
      res.writeHead(status, { 'content-type': 'text/plain' }).end(message);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT) return reply(413, 'Request body is too large');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > BODY_LIMIT) return reply(413, 'Request body is too large');
      chunks.push(chunk);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let body: unknown;
    if (type === 'application/json') {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, 'Body is not valid JSON');
      }
    } else if (type === 'text/plain') {
      body = Buffer.concat(chunks).toString('utf8');
    } else {
      return reply(415, `Unsupported Media Type: ${type || '(none)'}`);
    }
    const delivery = req.headers['x-github-delivery'];
    if (delivery !== undefined && !UUID.test(String(delivery))) return reply(400, 'x-github-delivery must be a UUID');
    const sig = req.headers['x-hub-signature-256'];
    if (sig !== undefined && !SHA256.test(String(sig))) return reply(400, 'x-hub-signature-256 is malformed');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return reply(400, 'body must be object');

    const subscribers = streams.get(channel);
    if (subscribers?.size) {
      const message = { ...req.headers, body, query: Object.fromEntries(url.searchParams), timestamp: Date.now() };
      const data = JSON.stringify(message);
      for (const s of subscribers) write(s, null, data);
      relayed += 1;
    }
    reply(200);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const channel = url.pathname.slice(1);
    if (req.method === 'GET' && channel === 'new') {
      res.writeHead(307, { location: `${base}/${randomChannel()}` }).end();
    } else if (!CHANNEL.test(channel)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad channel name');
    } else if (req.method === 'GET' && req.headers.accept === 'text/event-stream') {
      subscribe(channel, req, res);
    } else if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>relay</title>');
    } else if (req.method === 'POST') {
      publish(channel, req, res, url).catch(() => res.destroy());
    } else {
      res.writeHead(404).end();
    }
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const set of streams.values()) for (const res of set) res.destroy();
      streams.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const port = await listen(options.port ?? 0);
  base = `http://127.0.0.1:${port}`;
  const pingMs = options.pingIntervalMs ?? 30_000;
  const pinger = pingMs > 0
    ? setInterval(() => { for (const set of streams.values()) for (const s of set) write(s, 'ping', '{}'); }, pingMs)
    : undefined;
  pinger?.unref();

  return {
    url: base,
    port,
    newChannel: () => `${base}/${randomChannel()}`,
    subscriberCount: (channel) =>
      channel === undefined
        ? [...streams.values()].reduce((n, s) => n + s.size, 0)
        : streams.get(channel.replace(/^.*\//, ''))?.size ?? 0,
    relayed: () => relayed,
    async restart(downMs = 0) {
      await stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await listen(port);
    },
    async close() {
      if (pinger) clearInterval(pinger);
      await stop();
    },
  };
}

function randomChannel(): string {
  return randomBytes(12).toString('base64url');
}
