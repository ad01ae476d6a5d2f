// A worker that speaks the real protocol (shared/protocol.ts) over the master's /api/worker
// WebSocket, driven step by step by a test: it says hello, records the builds the master starts
// on it, and sends step, log, artifact and finish messages, each resolved once the master acks it.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import {
  PROTOCOL_VERSION, WORKER_NAME_HEADER, WORKER_PATH,
  parseMasterMessage, type BuildResult, type BuildSpec, type Hello, type ImagesReport, type LogStream, type SequencedMessage, type StepResult,
} from '../../shared/protocol.js';
import { TEST_SECRETS } from '../support/test-config.js';

type Unsequenced = SequencedMessage extends infer M ? (M extends SequencedMessage ? Omit<M, 'seq'> : never) : never;

export class FakeWorker {
  readonly started: BuildSpec[] = [];
  /** Every ack's seq, in the order they came. */
  readonly acks: number[] = [];
  private seq = 0;
  private acked = 0;
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const m = parseMasterMessage(String(raw));
      if (m?.type === 'ack') {
        this.acks.push(m.seq);
        this.acked = Math.max(this.acked, m.seq);
      }
      if (m?.type === 'build.start') this.started.push(m.build);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Dial the master at `baseUrl` (http://127.0.0.1:PORT) and finish the hello/welcome exchange. */
  static async connect(baseUrl: string, name = 'w1', slots = 2, hello: Partial<Hello> = {}): Promise<FakeWorker> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${WORKER_PATH}`, {
      headers: { authorization: `Bearer ${TEST_SECRETS.WORKER_SECRET}`, [WORKER_NAME_HEADER]: name },
    });
    const welcome = new Promise<void>((resolve, reject) => {
      socket.on('message', (raw) => parseMasterMessage(String(raw))?.type === 'welcome' && resolve());
      socket.once('error', reject);
    });
    const worker = new FakeWorker(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({
      type: 'hello', protocol: PROTOCOL_VERSION, name, instanceId: randomUUID(), version: 'fake-worker',
      arch: ['x86_64'], slots, labels: [], images: [], running: [], ...hello,
    }));
    await welcome;
    return worker;
  }

  private until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake worker: timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        if (test()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** The build the master starts here (the n-th, from 0). */
  async build(n = 0): Promise<BuildSpec> {
    await this.until(() => this.started.length > n, `build.start #${n + 1}`);
    return this.started[n] as BuildSpec;
  }

  async send(message: Unsequenced): Promise<void> {
    const seq = ++this.seq;
    this.socket.send(JSON.stringify({ ...message, seq }));
    await this.until(() => this.acked >= seq, `ack of seq ${seq}`);
  }

  /** Several messages in one write on the socket (so the master reads them at once); resolves once all are acked. */
  async sendTogether(messages: Unsequenced[]): Promise<void> {
    const tcp = (this.socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const message of messages) this.socket.send(JSON.stringify({ ...message, seq: ++this.seq }));
    tcp.uncork();
    const last = this.seq;
    await this.until(() => this.acked >= last, `ack of seq ${last}`);
  }

  stepStarted = (buildId: number, step: string, name: string) => this.send({ type: 'step.started', buildId, step, name, at: Date.now() });
  log = (buildId: number, step: string, data: string, stream: LogStream = 'stdout') => this.send({ type: 'log', buildId, step, stream, data });
  stepFinished = (buildId: number, step: string, result: StepResult, exitCode: number | null, durationMs = 1500) =>
    this.send({ type: 'step.finished', buildId, step, result, exitCode, durationMs });
  junit = (buildId: number, step: string, path: string, xml: string) =>
    this.send({ type: 'artifact', buildId, step, kind: 'junit', path, content: Buffer.from(xml).toString('base64') });
  buildFinished = (buildId: number, result: BuildResult, reason?: string) => this.send({ type: 'build.finished', buildId, result, reason });

  /** An unsequenced message (no ack comes back). */
  notify(message: ImagesReport): void {
    this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.socket.close();
  }
}
