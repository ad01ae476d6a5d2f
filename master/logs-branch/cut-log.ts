// A step log as it goes on the logs branch: whole when small, else its beginning and its end with
// the middle cut out (the start says what ran, the end says how it failed), with a note at the top.
// The full log stays on the CI host. Cuts fall on line ends, so no line (or secret mask) is split.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Default limit per log on the branch: GitHub's web view shows files up to about 1 MB. */
export const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function readAt(fd: number, start: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, start);
  return buffer.subarray(0, read);
}

/**
 * The log at `file`, cut in the middle when over `maxBytes`. `whereFull` completes the note
 * ("on the CI host: <url>"), so a reader knows where the rest is.
 */
export function readLogForBranch(file: string, maxBytes: number, whereFull: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= maxBytes) return readAt(fd, 0, size).toString('utf8');
    const half = Math.floor(maxBytes / 2);
    let head = readAt(fd, 0, half);
    const headEnd = head.lastIndexOf(0x0a);
    if (headEnd > 0) head = head.subarray(0, headEnd + 1);
    let tail = readAt(fd, size - half, half);
    const tailStart = tail.indexOf(0x0a);
    if (tailStart >= 0 && tailStart < tail.length - 1) tail = tail.subarray(tailStart + 1);
    const cut = size - head.length - tail.length;
    const note =
      `[gatehouse: this log is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} kept on the logs branch; ` +
      `${formatBytes(cut)} in the middle are cut. The full log is ${whereFull}.]\n\n`;
    return `${note}${head.toString('utf8')}\n[… ${formatBytes(cut)} cut …]\n\n${tail.toString('utf8')}`;
  } finally {
    closeSync(fd);
  }
}
