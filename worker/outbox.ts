// Every message after `hello` is numbered and kept until the master acks it, so a dropped socket
// loses nothing: after the next `welcome` the outbox drops what the master stored and sends the rest
// again, in order. Memory is bounded by asking producers of log output to wait (see `room`) while
// too much is unacked, instead of buffering without limit. A log chunk is kept as its binary frame
// (shared/protocol/log-frame.ts), everything else as JSON.
import { encodeLogFrame, type SequencedRecord } from '../shared/protocol.js';

/** A sequenced message before the outbox numbers it. */
export type Unsequenced<T = SequencedRecord> = T extends unknown ? Omit<T, 'seq'> : never;

/** What goes on the socket: a binary log frame, or JSON. */
export type Wire = Buffer | string;

interface Entry {
  seq: number;
  wire: Wire;
  /** The reusable buffer a log frame was written into, returned to the spares once acked. */
  memory?: Buffer;
}

/** A large log frame is written into a kept buffer of this size (a 256 KiB chunk and its header),
 *  reused after its ack: fresh memory costs a page fault per 4 KiB, which on a VM cost more than
 *  the copying. Small frames get memory of their own size. */
const SPARE_FRAME_BYTES = 260 * 1024;
const SPARE_FRAME_MIN = 64 * 1024;
const MAX_SPARE_FRAMES = 4;

export interface OutboxOptions {
  /** Above this many unacked bytes (frames and JSON), `room()` makes log producers wait (default 4 MiB). */
  maxUnackedBytes?: number;
}

export class Outbox {
  readonly maxUnackedBytes: number;
  // A queue with a moving head: acks remove from the front without shifting the array each time.
  private entries: Entry[] = [];
  private head = 0;
  private nextSeq = 1;
  private bytes = 0;
  private send: ((wire: Wire) => void) | undefined;
  private roomWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private spareFrames: Buffer[] = [];

  constructor(options: OutboxOptions = {}) {
    this.maxUnackedBytes = options.maxUnackedBytes ?? 4 * 1024 * 1024;
  }

  /** Number a message, keep it, and send it now when connected. Returns its seq. */
  push(message: Unsequenced): number {
    const seq = this.nextSeq++;
    let memory: Buffer | undefined;
    const wire =
      message.type === 'log'
        ? encodeLogFrame({ ...message, seq }, (size) => {
            if (size < SPARE_FRAME_MIN || size > SPARE_FRAME_BYTES) return Buffer.allocUnsafe(size);
            memory = this.spareFrames.pop() ?? Buffer.allocUnsafe(SPARE_FRAME_BYTES);
            return memory.subarray(0, size);
          })
        : JSON.stringify({ ...message, seq });
    this.entries.push({ seq, wire, ...(memory ? { memory } : {}) });
    this.bytes += (memory ?? wire).length;
    this.send?.(wire);
    return seq;
  }

  /** The master stored everything up to `seq` (cumulative). */
  ack(seq: number): void {
    while (this.head < this.entries.length && (this.entries[this.head] as Entry).seq <= seq) {
      const { seq: acked, wire, memory } = this.entries[this.head] as Entry;
      this.bytes -= (memory ?? wire).length;
      // Acked: the master has every byte, so nothing still reads this memory (a send finished long ago).
      if (memory && this.spareFrames.length < MAX_SPARE_FRAMES) this.spareFrames.push(memory);
      this.entries[this.head] = { seq: acked, wire: '' }; // let the frame go before the queue compacts
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.bytes <= this.maxUnackedBytes) release(this.roomWaiters);
    if (this.size === 0) release(this.drainWaiters);
  }

  /** After `welcome`: forget what the master has, send the rest in order, then send new ones as they come. */
  resume(ackedSeq: number, send: (wire: Wire) => void): number {
    this.ack(ackedSeq);
    this.send = send;
    for (let i = this.head; i < this.entries.length; i++) send((this.entries[i] as Entry).wire);
    return this.size;
  }

  /** The socket is gone: keep everything, send nothing until the next `resume`. */
  detach(): void {
    this.send = undefined;
  }

  /** undefined while there is room; else a promise that settles once acks bring the backlog under the limit. */
  room(): Promise<void> | undefined {
    if (this.bytes <= this.maxUnackedBytes) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Settles once everything pushed so far has been acked (for a graceful shutdown). */
  drained(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  get unackedBytes(): number {
    return this.bytes;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }
}

function release(waiters: Array<() => void>): void {
  for (const resolve of waiters.splice(0)) resolve();
}
