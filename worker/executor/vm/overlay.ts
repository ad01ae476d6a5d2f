// Per-build disks: a qcow2 overlay whose backing file is the image's disk, so the image itself is
// never written (qemu-img create takes 10–16 ms here). Deleting one that is gone is not an error.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';

export function createOverlay(base: string, overlay: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay], { timeout: 60_000 }, (error, _out, stderr) => {
      if (error) reject(new Error(`qemu-img create ${overlay}: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

export async function deleteOverlay(overlay: string): Promise<void> {
  await rm(overlay, { force: true });
}
