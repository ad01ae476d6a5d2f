// A recording HTTP target standing in for the master's /change_hook/github in the smee tests: it
// keeps every request's headers and exact body bytes, and answers with a configurable status.

import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. /change_hook/github */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingTarget {
  /** http://127.0.0.1:PORT/change_hook/github */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Status (and body) for the following requests; default 200 `{"ok":true}`. */
  respondWith(status: number, body?: string): void;
  /** Resolves once `count` requests have arrived in total. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function startRecordingTarget(path = '/change_hook/github'): Promise<RecordingTarget> {
  const requests: RecordedRequest[] = [];
  let status = 200;
  let replyBody = '{"ok":true}';
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(status, { 'content-type': 'application/json' }).end(replyBody);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    respondWith(s, b = '{}') {
      status = s;
      replyBody = b;
    },
    async waitForRequests(count, timeoutMs = 10_000) {
      await waitFor(() => requests.length >= count, timeoutMs, `${count} request(s) at the target`);
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls `condition` every 20 ms; rejects naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POSTs exact bytes with exactly these headers (plus content-length), as GitHub posts to a channel. */
export function postBytes(
  url: string,
  bytes: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const body = Buffer.from(bytes);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
