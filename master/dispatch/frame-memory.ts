// Log frames reach the master as buffers outside V8's heap, and little else is allocated while a
// large log streams in, so V8 collects them late: a 50 MB log grew the master's RSS by 20-28 MiB,
// and every new frame landed in fresh memory (a page fault per 4 KiB). A young-generation
// collection after every few MiB of frames frees them early (growth ~7 MiB, less CPU). It needs
// node's --expose-gc (bin/gatehouse.js, the master's unit); without it this does nothing.

/** V8's `gc` as --expose-gc exposes it. */
export type CollectGarbage = (options: { type: 'minor' | 'major' }) => void;

const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;

/** Returns what to call with each received frame's size. */
export function createFrameMemory(gc: CollectGarbage | undefined = (globalThis as { gc?: CollectGarbage }).gc): (bytes: number) => void {
  let received = 0;
  return (bytes) => {
    if (!gc) return;
    received += bytes;
    if (received < COLLECT_EVERY_BYTES) return;
    received = 0;
    gc({ type: 'minor' });
  };
}
