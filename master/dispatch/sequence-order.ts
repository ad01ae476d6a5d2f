// Where a worker's sequenced message stands against what the master stored of that worker
// instance (`last_seq`). Seqs are contiguous per instance (worker/outbox.ts), so message N is
// applied only right after N−1: applying past a message that failed to store would move last_seq
// beyond it, and the worker, told that in its next `welcome`, would never send it again.

export type SeqOrder =
  /** N = last_seq + 1: store it. */
  | 'next'
  /** N ≤ last_seq: stored before (a resend): ack only. */
  | 'duplicate'
  /** N > last_seq + 1 inside a session: an earlier one was not stored; stop and have the worker resend. */
  | 'gap'
  /**
   * N > last_seq + 1 as a session's first message. After `welcome` a worker resends everything
   * unacked, oldest first, so it no longer holds last_seq+1…N−1: the master acked them and then
   * lost them (a database restored, or commits lost to a power cut). Refusing would loop for ever.
   */
  | 'lost';

export function sequenceOrder(seq: number, lastSeq: number, firstOfSession: boolean): SeqOrder {
  if (seq <= lastSeq) return 'duplicate';
  if (seq === lastSeq + 1) return 'next';
  return firstOfSession ? 'lost' : 'gap';
}
