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
