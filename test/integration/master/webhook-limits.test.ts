// Bytes and time from senders not yet authenticated are bounded: over real sockets, since the
// point is what happens before a body has arrived.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO, TEST_SECRETS } from '../../support/test-config.js';
import { examplePayload, webhookHeaders } from '../../support/sign-webhook.js';

interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with what the server sent once it closed the connection. */
  closed: Promise<string>;
  /** Resolves once a whole response head has arrived. */
  answered: Promise<string>;
}

function connect(port: number, head: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      resolve({ socket, received: () => data, closed, answered });
    });
    let data = '';
    let onAnswer: (text: string) => void = () => undefined;
    const answered = new Promise<string>((r) => (onAnswer = r));
    const closed = new Promise<string>((r) => socket.on('close', () => r(data)));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n\r\n')) onAnswer(data);
    });
    socket.on('error', () => undefined); // a reset is one of the outcomes under test
    socket.once('error', reject);
  });
}

const postHead = (length: number | null, extra = '') =>
  `POST /change_hook/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: pull_request\r\n` +
  `X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958\r\n${length === null ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`}${extra}\r\n`;

const status = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);

describe('webhook intake limits', () => {
  let master: TestMaster;
  let port: number;
  const open: net.Socket[] = [];
  beforeEach(async () => {
    master = await startTestMaster({
      http: { port: 0, host: '127.0.0.1', webhookBufferMiB: 25, webhookBodyTimeout: '1s', headersTimeout: '1s' },
    });
    await master.app.listen({ port: 0, host: '127.0.0.1' });
    port = (master.app.server.address() as net.AddressInfo).port;
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    await master.stop();
  });
  const conn = async (head: string) => {
    const c = await connect(port, head);
    open.push(c.socket);
    return c;
  };
  const counts = async () => (await master.get<{ meta: { total: number } }>('/api/v2/deliveries')).meta.total;

  it('refuses a body without a Content-Length with 411', async () => {
    const c = await conn(postHead(null));
    expect(status(await c.answered)).toBe(411);
  });

  it('refuses an announced body over 25 MB with 413 before reading it', async () => {
    const c = await conn(postHead(30 * 1024 * 1024));
    const answer = await c.answered; // no byte of the body was sent
    expect(status(answer)).toBe(413);
    expect((await c.closed).toLowerCase()).toContain('connection: close');
  });

  it('answers 503 with Retry-After while the budget is taken, and admits again once it is released', async () => {
    const big = await conn(postHead(20 * 1024 * 1024));
    big.socket.write(Buffer.alloc(1024, 0x20)); // holds 20 MiB of the 25 MiB budget, body incomplete
    // Wait until the server has admitted it: a second big one is refused from then on.
    let refused = '';
    for (let i = 0; i < 100 && !refused; i++) {
      const second = await conn(postHead(10 * 1024 * 1024));
      const answer = await second.answered;
      if (status(answer) === 503) refused = answer;
    }
    expect(status(refused)).toBe(503);
    expect(refused.toLowerCase()).toContain('retry-after: 5');

    // A small signed delivery still fits beside it and is accepted.
    const payload = examplePayload('pull_request', 'opened');
    payload.repository.full_name = TEST_REPO;
    const body = JSON.stringify(payload);
    const res = await fetch(`http://127.0.0.1:${port}/change_hook/github`, {
      method: 'POST', body, headers: webhookHeaders('pull_request', body, TEST_SECRETS.GH_WEBHOOK_SECRET),
    });
    expect(res.status).toBe(200);

    // The big one ends (cut off by its deadline); its bytes go back to the budget.
    await big.closed;
    const again = await conn(postHead(10 * 1024 * 1024));
    again.socket.end(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(status(await again.answered)).toBe(401); // read whole, then refused for its (missing) signature
    expect(await counts()).toBe(1);
  });

  it('cuts off a body that trickles in, and keeps answering others meanwhile', async () => {
    const slow = await conn(postHead(100));
    const started = Date.now();
    const trickle = setInterval(() => slow.socket.writable && slow.socket.write('x'), 300);
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      await slow.closed;
    } finally {
      clearInterval(trickle);
    }
    // Closed by the deadline (1 s here), long before the 100 bytes could have arrived at this pace (30 s).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await counts()).toBe(0);
  });

  it('cuts off a connection whose headers never end', async () => {
    const c = await conn('POST /change_hook/github HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => c.socket.writable && c.socket.write('X-Slow: 1\r\n'), 200);
    try {
      const answer = await c.closed;
      expect(answer === '' || status(answer) === 408).toBe(true);
    } finally {
      clearInterval(trickle);
    }
  });
});
