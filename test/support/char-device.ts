// A character device node for tests (the /dev/kvm checks): made with mknod in a directory of the
// test's, which only root can do, and not every root (a rootless container cannot).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Make a character device node (as /dev/null: 1,3) at `file`. */
export function makeCharDevice(file: string): void {
  execFileSync('mknod', [file, 'c', '1', '3'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why a test cannot make device nodes here, or undefined when it can (tried once, in a temp dir). */
export function charDeviceMissing(): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-mknod-'));
  try {
    makeCharDevice(path.join(dir, 'probe'));
    return undefined;
  } catch (error) {
    return `mknod is not allowed here (${(error as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
