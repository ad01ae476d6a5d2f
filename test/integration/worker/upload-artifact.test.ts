// The worker's upload of a large artifact against an HTTP peer on 127.0.0.1 that misbehaves the
// ways a master or a network does: a connection cut mid-body, a 503, a 422 and a peer that goes
// silent are tried again (the file opened afresh each time), a stored hash that differs is never
// accepted, and 409/413 are final. The size header and the sha256 trailer arrive as sent.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { masterHttp } from '../../../worker/master-http.js';
import { createArtifactUploader, UploadRefusedError } from '../../../worker/upload-artifact.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

describe('artifact upload', () => {
  let server: Server | undefined;
  const closeServer = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  };
  afterEach(closeServer);

  /** A peer whose n-th request is answered by handlers[n] (the last one for the rest). */
  async function peer(handlers: Handler[]) {
    const seen: Array<{ url: string; auth: string; worker: string; size: string; bytes: number; trailer?: string }> = [];
    server = createServer((req, res) => {
      const handler = handlers[Math.min(seen.length, handlers.length - 1)] as Handler;
      const entry: (typeof seen)[number] = { url: req.url ?? '', auth: req.headers.authorization ?? '', worker: String(req.headers['x-gatehouse-worker']), size: String(req.headers['x-gatehouse-size']), bytes: 0 };
      seen.push(entry);
      if (handler.length < 3) return handler(req, res, Buffer.alloc(0)); // answers without reading
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        entry.bytes = body.length;
        entry.trailer = req.trailers['x-gatehouse-sha256'];
        handler(req, res, body);
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { seen, master: masterHttp({ masterUrl: `ws://127.0.0.1:${port}`, name: 'w1', secret: 's3cret' }) };
  }

  const store: Handler = (_req, res, body) => {
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '0b7e1b6e-1111-4c4c-9c9c-000000000001', sha256: createHash('sha256').update(body).digest('hex'), size: body.length }));
  };
  const file = randomBytes(5 * 1024 * 1024);
  let opened = 0;
  const open = async () => {
    opened += 1;
    return Readable.from([file.subarray(0, 1 << 20), file.subarray(1 << 20)]);
  };
  const upload = (master: ReturnType<typeof masterHttp>, signal = new AbortController().signal) =>
    createArtifactUploader(master, { backoff: { baseMs: 20, maxMs: 100 }, retryForMs: 2000, idleMs: 300 })({ buildId: 7, open, size: file.length, signal });
  const fileSha = createHash('sha256').update(file).digest('hex');
  /** Answers an upload is tried again after: a cut connection, a 503, a 422. */
  const passingFailures: Handler[] = [
    (req) => req.once('data', () => req.socket.destroy()),
    (_req, res) => res.writeHead(503).end('{"error":"restarting"}'),
    (_req, res) => res.writeHead(422).end('{"error":"sha256 mismatch"}'),
  ];

  it('streams the file with the worker credentials for its build, its size and sha256, after a cut connection, a 503, a 422 and a silent peer', async () => {
    opened = 0;
    const { seen, master } = await peer([
      ...passingFailures,
      () => {}, // reads nothing, answers nothing: the idle timeout ends it
      store,
    ]);
    const stored = await upload(master);
    expect(stored).toMatchObject({ sha256: fileSha, size: file.length });
    expect(seen.map((s) => [s.url, s.auth, s.worker, s.size])).toEqual(Array(5).fill(['/api/worker/uploads?build=7', 'Bearer s3cret', 'w1', String(file.length)]));
    expect([seen[4]?.bytes, seen[4]?.trailer]).toEqual([file.length, fileSha]);
    expect(opened).toBe(5);
  });

  it('never accepts a stored hash that is not the one sent; gives up after retryForMs', async () => {
    const { seen, master } = await peer([(_req, res, body) => res.writeHead(201).end(JSON.stringify({ id: 'x', sha256: '0'.repeat(64), size: body.length }))]);
    await expect(upload(master)).rejects.toThrow(/the master stored sha256 0{64}/);
    expect(seen.length).toBeGreaterThan(2);
  });

  it('takes 409 and 413 as final', async () => {
    for (const status of [409, 413]) {
      const { seen, master } = await peer([(_req, res) => res.writeHead(status, { connection: 'close' }).end(JSON.stringify({ error: `no (${status})` }))]);
      const attempt = upload(master);
      await expect(attempt).rejects.toBeInstanceOf(UploadRefusedError);
      await expect(attempt).rejects.toThrow(`the master refused it: ${status} no (${status})`);
      expect(seen.length).toBe(1);
      await closeServer();
    }
  });

  describe('from a file on this host (read through reused buffers)', () => {
    let dir: string | undefined;
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    });
    // Not a multiple of the 64 KiB chunk, and many chunks per buffer: a buffer read into again
    // before its bytes left would change what arrives, and the sha256 the peer computes with it.
    const local = randomBytes(5 * 1024 * 1024 + 12_345);
    const localSha = createHash('sha256').update(local).digest('hex');
    // Patient limits: the slow peer below must not look silent on a loaded machine.
    const uploadLocal = async (master: ReturnType<typeof masterHttp>, name = 'big.bin', retryForMs = 20_000) => {
      dir ??= await mkdtemp(path.join(tmpdir(), 'gatehouse-upload-'));
      if (name === 'big.bin') await writeFile(path.join(dir, name), local);
      return createArtifactUploader(master, { backoff: { baseMs: 20, maxMs: 100 }, retryForMs, idleMs: 5000 })({ buildId: 7, open, localPath: path.join(dir, name), size: local.length, signal: new AbortController().signal });
    };

    // Reads a chunk every few milliseconds, so the worker's writes wait on a full socket.
    const slowStore: Handler = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        req.pause();
        setTimeout(() => req.resume(), 2);
      });
      req.on('end', () => store(req, res, Buffer.concat(chunks)));
    };

    it('sends its exact bytes and sha256 (not through open), after a cut connection, a 503 and a 422; a 413 answered unread is final', async () => {
      opened = 0;
      const { seen, master } = await peer([
        ...passingFailures,
        slowStore,
      ]);
      expect(await uploadLocal(master)).toMatchObject({ sha256: localSha, size: local.length });
      expect(seen.length).toBe(4);
      expect(opened).toBe(0);
      await closeServer();
      const refused = await peer([(_req, res) => res.writeHead(413, { connection: 'close' }).end('{"error":"too large"}')]);
      await expect(uploadLocal(refused.master)).rejects.toThrow('the master refused it: 413 too large');
    });

    it('fails with the read error when the file is gone', async () => {
      const { master } = await peer([store]);
      await expect(uploadLocal(master, 'gone.bin', 500)).rejects.toThrow(/ENOENT/);
    });
  });

  it('stops trying when the build is stopped, in the pause between tries', async () => {
    const { seen, master } = await peer([(_req, res, _body) => res.writeHead(503).end()]);
    const controller = new AbortController();
    const attempt = createArtifactUploader(master, { backoff: { baseMs: 60_000, random: () => 0.99 }, retryForMs: 600_000 })({ buildId: 7, open, size: file.length, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the build was cancelled')), 300);
    await expect(attempt).rejects.toThrow('the build was cancelled');
    expect(seen.length).toBe(1);
  });
});
