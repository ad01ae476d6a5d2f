// One step's stdout (or stderr, or header) on its way to the master: masked, then cut into chunks
// of whole lines. Text arrives in arbitrary pieces; a chunk ends at a newline unless a single line
// outgrows the chunk size, or the stream has been idle long enough that a partial line (a prompt,
// a progress dot) should be shown anyway. The masker keeps back any tail that may still turn into
// a secret, and the idle flush leaves that tail alone: only the end of the stream releases it.
import { SecretMasker } from '../shared/mask-secrets.js';

export interface LogStreamOptions {
  secrets: readonly string[];
  /** Receives each chunk; a returned promise asks the writer to wait (backpressure). */
  emit: (data: string) => void | Promise<void>;
  /** Largest chunk, in UTF-16 code units, about bytes for ASCII logs (default 256 KiB: fewer, larger
   *  messages cost the master less per byte; the outbox bounds what is unacked). */
  maxChunk?: number;
  /** Send a partial line after this much quiet (default 100 ms). */
  idleFlushMs?: number;
}

export class LogStream {
  private readonly masker: SecretMasker;
  private readonly emit: LogStreamOptions['emit'];
  private readonly maxChunk: number;
  private readonly idleFlushMs: number;
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(options: LogStreamOptions) {
    this.masker = new SecretMasker(options.secrets);
    this.emit = options.emit;
    this.maxChunk = options.maxChunk ?? 256 * 1024;
    this.idleFlushMs = options.idleFlushMs ?? 100;
  }

  /** Add output; returns a promise when the reader of this output should pause until it settles. */
  write(text: string): void | Promise<void> {
    if (this.ended) throw new Error('log stream already ended');
    this.buffer += this.masker.push(text);
    const wait = this.emitLines(false);
    this.clearTimer();
    if (this.buffer !== '') {
      this.timer = setTimeout(() => this.emitLines(true), this.idleFlushMs);
      this.timer.unref();
    }
    return wait;
  }

  /** End of the stream: release everything, including what the masker held back. */
  end(): void | Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.clearTimer();
    this.buffer += this.masker.flush();
    return this.emitLines(true);
  }

  private emitLines(partialToo: boolean): void | Promise<void> {
    let wait: void | Promise<void> = undefined;
    while (this.buffer !== '') {
      const cut = this.cutPoint(partialToo);
      if (cut === 0) break;
      const chunk = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut);
      wait = this.emit(chunk) ?? wait;
    }
    return wait;
  }

  /** Length of the next chunk to send, or 0 to keep waiting for more text. */
  private cutPoint(partialToo: boolean): number {
    const text = this.buffer;
    if (text.length > this.maxChunk) {
      const newline = text.lastIndexOf('\n', this.maxChunk - 1);
      if (newline >= 0) return newline + 1;
      // One line longer than a chunk: cut it, but never between the halves of a surrogate pair.
      const code = text.charCodeAt(this.maxChunk - 1);
      return code >= 0xd800 && code <= 0xdbff ? this.maxChunk - 1 : this.maxChunk;
    }
    if (partialToo) return text.length;
    return text.lastIndexOf('\n') + 1;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
