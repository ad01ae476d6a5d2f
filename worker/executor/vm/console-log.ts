// The guest's serial console, as libvirt's virtlogd writes it to a file: its tail is what a build
// that never got SSH carries as its reason, and a kernel panic in it ends the wait for SSH at once.
import { open } from 'node:fs/promises';

/** The last `maxBytes` of the console log, from a line start, without colour codes and CRs. */
export async function readConsoleTail(file: string, maxBytes = 8192): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '(no console output)';
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    // eslint-disable-next-line no-control-regex
    text = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
    return text.trim() === '' ? '(no console output)' : text;
  } finally {
    await handle.close();
  }
}

/** Why a guest will never boot, read from its console (a kernel panic), or undefined. */
export function fatalConsoleLine(text: string): string | undefined {
  const panic = /Kernel panic - not syncing:[^\n]*/.exec(text);
  return panic?.[0].trim();
}

/**
 * Resolves once a line of the console log matches `pattern` (read on from where it last read, every
 * 100 ms); never rejects. Reading stops when `stop` aborts (the promise then stays pending).
 */
export function whenConsoleShows(file: string, pattern: RegExp, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let offset = 0;
    let partial = '';
    let reading = false;
    const timer = setInterval(() => {
      if (reading) return;
      reading = true;
      void readFrom(file, offset)
        .then((chunk) => {
          offset += chunk.length;
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          // eslint-disable-next-line no-control-regex
          if (lines.some((line) => pattern.test(line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')))) {
            clearInterval(timer);
            resolve();
          }
        })
        .finally(() => (reading = false));
    }, 100);
    stop.addEventListener('abort', () => clearInterval(timer), { once: true });
    if (stop.aborted) clearInterval(timer);
  });
}

/** What the file holds from `offset` on (nothing when it does not exist yet). */
async function readFrom(file: string, offset: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer;
  } finally {
    await handle.close();
  }
}
