// The last lines of a step's log, as plain text: what a check run's summary and the pull request
// comment show of a failing step. Only the file's end is read, however big the log.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/** Colour and cursor escapes: a terminal's business, noise in Markdown. */
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** The last `lines` lines of the file (at most `maxBytes` of it), escapes removed; '' when it does not exist. */
export function readLogTail(file: string, lines = 30, maxBytes = 16 * 1024): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  let text: string;
  let cut: boolean;
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    text = buffer.toString('utf8');
    cut = length < size;
  } finally {
    closeSync(fd);
  }
  const all = text.replace(ESCAPES, '').replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  // The first line of a window that starts mid-file is likely partial.
  const whole = cut ? all.slice(1) : all;
  return whole.slice(-lines).join('\n');
}
