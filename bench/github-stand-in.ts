// A minimal GitHub REST API for benchmarks (the tests' OpenAPI-checked stand-in is not part of the
// build): every call is answered after `latencyMs`, as real GitHub takes 100–300 ms. It knows a
// commit's message (what skip strings ask for) and accepts commit statuses; anything else is a 404.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchGitHub {
  url: string;
  /** Calls received, by "METHOD kind" (e.g. "GET commits"). */
  calls: Map<string, number>;
  close(): Promise<void>;
}

export async function startBenchGitHub(latencyMs: number): Promise<BenchGitHub> {
  const calls = new Map<string, number>();
  let statusId = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const commit = /^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]{40})$/.exec(path);
      const status = /^\/repos\/[^/]+\/[^/]+\/statuses\/[0-9a-f]{40}$/.test(path);
      const kind = commit ? 'commits' : status ? 'statuses' : path;
      calls.set(`${req.method} ${kind}`, (calls.get(`${req.method} ${kind}`) ?? 0) + 1);
      const [code, body] = commit && req.method === 'GET'
        ? [200, { sha: commit[1], commit: { message: 'A change' }, files: [] }]
        : status && req.method === 'POST' ? [201, { id: ++statusId }] : [404, { message: 'Not Found' }];
      setTimeout(() => {
        res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
