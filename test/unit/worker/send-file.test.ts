// sendFile reuses its few buffers: a buffer must not be read into again before the writable has
// called back for it. The writable here calls back late and copies each chunk only then, as a
// socket's bytes leave only then: a buffer reused too early changes what it copies.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sendFile } from '../../../worker/send-file.js';

describe('sendFile', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function fileWith(bytes: Buffer): Promise<string> {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-send-file-'));
    const file = path.join(dir, 'big.bin');
    await writeFile(file, bytes);
    return file;
  }

  it('hands over every byte in order, each chunk to onChunk first, though the writable calls back late', async () => {
    const bytes = randomBytes(1024 * 1024 + 123);
    const kept: Buffer[] = [];
    const seen: number[] = [];
    const late = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, done) {
        setTimeout(() => {
          kept.push(Buffer.from(chunk));
          done();
        }, 1);
      },
    });
    await sendFile(await fileWith(bytes), late, (chunk) => seen.push(chunk.length));
    expect(Buffer.concat(kept).equals(bytes)).toBe(true);
    expect(seen).toEqual(kept.map((c) => c.length));
  });

  it('stops with an error when the writable is destroyed part way', async () => {
    const bytes = randomBytes(1024 * 1024);
    let writes = 0;
    const dying = new Writable({
      write(_chunk: Buffer, _encoding, done) {
        if (++writes === 3) dying.destroy(new Error('connection cut'));
        else setTimeout(done, 1);
      },
    });
    dying.on('error', () => {});
    await expect(sendFile(await fileWith(bytes), dying, () => {})).rejects.toThrow();
    expect(writes).toBe(3);
  });
});
