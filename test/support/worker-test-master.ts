// A small master for worker tests: the worker endpoint only, on 127.0.0.1. It checks the upgrade's
// name and secret (401 otherwise), answers hello with welcome (or refused), stores each seq once
// like the real master must, and records what a test needs to prove nothing was lost or repeated.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { type Hello, type MasterMessage, parseWorkerMessage, PROTOCOL_VERSION, type SequencedMessage, type WorkerMessage, WORKER_NAME_HEADER, WORKER_PATH } from '../../shared/protocol.js';
import { MessageLog } from './worker-build-spec.js';

export interface TestMasterOptions {
  /** name → secret of the workers allowed in. */
  workers: Record<string, string>;
  /** Hellos of another protocol are refused (default PROTOCOL_VERSION). */
  protocol?: number;
  /** Send acks as messages are stored (default true). */
  autoAck?: boolean;
  /** Answer the worker's pings (default true); false plays a link that died silently. */
  autoPong?: boolean;
}

export class TestMaster {
  readonly workers: Record<string, string>;
  protocol: number;
  /** When set, welcome claims this protocol and hellos are not checked (an old master that did not check). */
  welcomeProtocol: number | undefined;
  autoAck: boolean;
  port = 0;
  readonly hellos: Hello[] = [];
  /** Each seq once, in seq order, as the real master stores them. */
  readonly stored = new Map<number, SequencedMessage>();
  /** Messages that arrived with a seq already stored. */
  readonly duplicates: SequencedMessage[] = [];
  /** Messages that arrived with a seq at or below the ackedSeq of the welcome before them: the worker should have dropped them. */
  readonly belowAck: SequencedMessage[] = [];
  /** Bytes of log data received, duplicates included. */
  receivedLogBytes = 0;
  unauthorized = 0;
  upgrades = 0;
  /** Build ids to put in the next welcome's cancel list. */
  cancelOnWelcome: number[] = [];
  private contiguous = 0;
  private lastAckSent = 0;
  private welcomeAcked = 0;
  private server: Server | undefined;
  private readonly wss: WebSocketServer;
  private socket: WebSocket | undefined;

  constructor(options: TestMasterOptions) {
    this.workers = { ...options.workers };
    this.protocol = options.protocol ?? PROTOCOL_VERSION;
    this.autoAck = options.autoAck ?? true;
    this.wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Listen (again, on the same port after stop()). */
  async start(): Promise<void> {
    const server = createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Gone like a crashed master: sockets cut, port closed. */
  async stop(): Promise<void> {
    this.drop();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Close the current socket with this code, as the real master does (1013: it could not store a message). */
  closeWith(code: number, reason: string): void {
    this.socket?.close(code, reason);
    this.socket = undefined;
  }

  /** Cut the current socket without a close handshake. */
  drop(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  /** Forget up to n stored messages that were never acked (a master that crashed before committing them). */
  forgetUnacked(n: number): number {
    let forgotten = 0;
    while (forgotten < n && this.contiguous > this.lastAckSent) this.stored.delete(this.contiguous--) && forgotten++;
    return forgotten;
  }

  send(message: MasterMessage): void {
    if (!this.socket) throw new Error('no worker connected');
    this.socket.send(JSON.stringify(message));
  }

  /** Ack everything stored so far. */
  ack(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.lastAckSent = this.contiguous;
    this.socket.send(JSON.stringify({ type: 'ack', seq: this.contiguous } satisfies MasterMessage));
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** The stored messages, in seq order. */
  get log(): MessageLog {
    return new MessageLog([...this.stored.keys()].sort((a, b) => a - b).map((seq) => this.stored.get(seq) as SequencedMessage));
  }

  async close(): Promise<void> {
    await this.stop();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const name = String(req.headers[WORKER_NAME_HEADER] ?? '');
    const secret = this.workers[name];
    if (new URL(req.url ?? '/', 'http://x').pathname !== WORKER_PATH) return reject(socket, 404, 'Not Found');
    if (secret === undefined || req.headers.authorization !== `Bearer ${secret}`) {
      this.unauthorized++;
      return reject(socket, 401, 'Unauthorized');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.upgrades++;
      this.socket?.terminate(); // a worker that dials again replaces its old socket
      this.socket = ws;
      // The master's own parse: a message the real master would refuse fails the test here too.
      ws.on('message', (data) => this.onMessage(ws, parseWorkerMessage(String(data))));
    });
  }

  private onMessage(ws: WebSocket, message: WorkerMessage): void {
    if (message.type === 'images') return; // sent only to a master whose welcome lists the feature; this one does not
    if (message.type === 'hello') {
      this.hellos.push(message);
      if (this.welcomeProtocol === undefined && message.protocol !== this.protocol) {
        const upgrade = message.protocol < this.protocol ? 'upgrade gatehouse on the worker' : 'upgrade the master';
        ws.send(JSON.stringify({ type: 'refused', reason: `this master speaks protocol ${this.protocol}, the worker ${message.protocol}: ${upgrade}` } satisfies MasterMessage));
        return ws.close();
      }
      this.welcomeAcked = this.contiguous;
      const cancel = this.cancelOnWelcome.splice(0);
      ws.send(JSON.stringify({ type: 'welcome', protocol: this.welcomeProtocol ?? this.protocol, ackedSeq: this.contiguous, cancel } satisfies MasterMessage));
      return;
    }
    if (message.type === 'log') this.receivedLogBytes += message.data.length;
    if (message.seq <= this.welcomeAcked) this.belowAck.push(message);
    if (this.stored.has(message.seq)) this.duplicates.push(message);
    else this.stored.set(message.seq, message);
    while (this.stored.has(this.contiguous + 1)) this.contiguous++;
    if (this.autoAck) this.ack();
  }
}

export async function startTestMaster(options: TestMasterOptions): Promise<TestMaster> {
  const master = new TestMaster(options);
  await master.start();
  return master;
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
