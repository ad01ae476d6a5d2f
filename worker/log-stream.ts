// One step's stdout (or stderr, or header) on its way to the master: masked, then cut into chunks
// of whole lines, as bytes (the master stores them as they are). Output arrives in arbitrary pieces;
// whole lines wait up to `lineDelayMs` for more, so a fast producer's output travels in a few large
// chunks (each costs the master a transaction) while a slow one's lines still show promptly. A chunk
// ends at a newline unless a single line outgrows the chunk size, or the stream has been idle long
// enough that a partial line (a prompt, a progress dot) should be shown anyway. The masker keeps
// back any tail that may still turn into a secret, and the idle flush leaves that tail alone: only
// the end of the stream releases it.
import { SecretMasker } from '../shared/mask-secrets.js';

export interface LogStreamOptions {
  secrets: readonly string[];
  /** Receives each chunk, valid only during the call (its memory is reused); a returned promise
   *  asks the writer to wait (backpressure). */
  emit: (data: Buffer) => void | Promise<void>;
  /** Largest chunk, in bytes (default 256 KiB: fewer, larger messages cost the master less per byte,
   *  but each is a buffer the master's GC frees late: 1 MiB chunks grew its RSS by ~35 MiB over a
   *  50 MB log, 256 KiB by ~18; the outbox bounds what is unacked). */
  maxChunk?: number;
  /** How long whole lines may wait to be sent with more (default 20 ms; 0 sends them at once). */
  lineDelayMs?: number;
  /** Send a partial line after this much quiet (default 100 ms). */
  idleFlushMs?: number;
}

const NEWLINE = 0x0a;

export class LogStream {
  private readonly masker: SecretMasker;
  private readonly emit: LogStreamOptions['emit'];
  private readonly maxChunk: number;
  private readonly lineDelayMs: number;
  private readonly idleFlushMs: number;
  // What is not sent yet, copied into one buffer kept for the stream's life: fresh memory for every
  // chunk costs a page fault per 4 KiB, which on a VM cost more than the copying itself.
  private staging = Buffer.alloc(0);
  private bytes = 0;
  private lineTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;
  /** Backpressure from a chunk the line timer sent: the next write passes it on to the reader. */
  private timedWait: Promise<void> | undefined;

  constructor(options: LogStreamOptions) {
    this.masker = new SecretMasker(options.secrets);
    this.emit = options.emit;
    this.maxChunk = options.maxChunk ?? 256 * 1024;
    this.lineDelayMs = options.lineDelayMs ?? 20;
    this.idleFlushMs = options.idleFlushMs ?? 100;
  }

  /** Add output (text is sent as UTF-8); returns a promise when the reader of this output should pause until it settles. */
  write(output: string | Buffer): void | Promise<void> {
    if (this.ended) throw new Error('log stream already ended');
    this.add(this.masker.push(typeof output === 'string' ? Buffer.from(output, 'utf8') : output));
    let wait: void | Promise<void> = undefined;
    if (this.lineDelayMs === 0) wait = this.emitChunks('lines');
    else if (this.bytes > this.maxChunk) wait = this.emitChunks('full');
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.bytes > 0) {
      this.idleTimer = setTimeout(() => this.emitChunks('all'), this.idleFlushMs).unref();
      this.lineTimer ??= setTimeout(() => this.emitTimed(), this.lineDelayMs).unref();
    }
    return wait ?? this.timedWait;
  }

  /** End of the stream: release everything, including what the masker held back. */
  end(): void | Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.lineTimer);
    this.add(this.masker.flush());
    return this.emitChunks('all');
  }

  private emitTimed(): void {
    this.lineTimer = undefined;
    const wait = this.emitChunks('lines');
    if (!wait) return;
    this.timedWait = wait;
    const settled = () => {
      if (this.timedWait === wait) this.timedWait = undefined;
    };
    wait.then(settled, settled);
  }

  private add(data: Buffer): void {
    if (data.length === 0) return;
    if (this.bytes + data.length > this.staging.length) {
      const larger = Buffer.allocUnsafe(Math.max(this.bytes + data.length, this.maxChunk + 64 * 1024));
      this.staging.copy(larger, 0, 0, this.bytes);
      this.staging = larger;
    }
    data.copy(this.staging, this.bytes);
    this.bytes += data.length;
  }

  /** Send full chunks only, or whole lines too, or everything (a partial line included). */
  private emitChunks(upTo: 'full' | 'lines' | 'all'): void | Promise<void> {
    if (this.bytes === 0) return;
    let sent = 0;
    let wait: void | Promise<void> = undefined;
    while (sent < this.bytes) {
      const text = this.staging.subarray(sent, this.bytes);
      const cut = this.cutPoint(text, upTo);
      if (cut === 0) break;
      wait = this.emit(text.subarray(0, cut)) ?? wait;
      sent += cut;
    }
    // The rest (a partial line, or less than a chunk) moves to the front.
    this.staging.copy(this.staging, 0, sent, this.bytes);
    this.bytes -= sent;
    return wait;
  }

  /** Length of the next chunk to send, or 0 to keep waiting for more output. */
  private cutPoint(text: Buffer, upTo: 'full' | 'lines' | 'all'): number {
    if (text.length > this.maxChunk) {
      const newline = text.lastIndexOf(NEWLINE, this.maxChunk - 1);
      if (newline >= 0) return newline + 1;
      // One line longer than a chunk: cut it, but not inside a UTF-8 character (before its continuation bytes).
      let cut = this.maxChunk;
      while (cut > this.maxChunk - 3 && ((text[cut] as number) & 0xc0) === 0x80) cut--;
      return cut;
    }
    if (upTo === 'all') return text.length;
    if (upTo === 'full') return 0;
    return text.lastIndexOf(NEWLINE) + 1;
  }
}
