// Writes a file on this host into a writable (an upload's request) through a few buffers that are
// read into again and again. A read stream allocates a new 64 KiB buffer per chunk; with the 1 MiB
// young generation gatehouse runs with, ~20 MiB of those dead buffers pile up between scavenges, and
// V8 counts that memory against the old generation's headroom: a worker uploading 1 GiB then ran a
// full mark-compact every ~16 MiB (≈ 60, +1.5 s CPU). A buffer is read into again only once the
// writable has called back for its last write of it, i.e. the bytes went to the socket.
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;
/** Enough to read ahead while earlier chunks are still in the socket's hands. */
const BUFFERS = 4;

/** Sends the file's bytes, each chunk seen by `onChunk` first; does not end `to`. */
export async function sendFile(file: string, to: Writable, onChunk: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(file);
  // A writable destroyed before it had a socket never calls back its pending writes: stop at its close.
  const closed = new Promise<never>((_, reject) => to.once('close', () => reject(new Error('the connection closed before the file was sent'))));
  closed.catch(() => {});
  const buffers = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafeSlow(CHUNK_BYTES));
  const written: Array<Promise<void>> = buffers.map(() => Promise.resolve());
  try {
    for (let i = 0; ; i = (i + 1) % BUFFERS) {
      await Promise.race([written[i], closed]);
      const buffer = buffers[i] as Buffer;
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      onChunk(chunk);
      const write = new Promise<void>((resolve, reject) => to.write(chunk, (error) => (error ? reject(error) : resolve())));
      write.catch(() => {}); // left unawaited when the loop ends early; the race above reports it otherwise
      written[i] = write;
    }
    await Promise.race([Promise.all(written), closed]);
  } finally {
    await handle.close();
  }
}
