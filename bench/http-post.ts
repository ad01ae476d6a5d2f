import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POST with a keep-alive connection; resolves with the status once the reply is read. */
export function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
