// Processes whose root directory or working directory lies inside a directory: what a test that
// runs things in a chroot must not leave behind. A deleted directory still shows in the links
// (with " (deleted)" appended), so this finds them after the root is removed too.
import { readdirSync, readlinkSync } from 'node:fs';
import { isAlive } from '../../../support/worker-build-spec.js';

export interface InsideProcess {
  pid: number;
  root: string;
  cwd: string;
}

export function processesInside(dir: string): InsideProcess[] {
  const inside = (link: string) => link === dir || link.startsWith(`${dir}/`) || link === `${dir} (deleted)`;
  const found: InsideProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const root = readlinkSync(`/proc/${pid}/root`);
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if ((inside(root) || inside(cwd)) && isAlive(pid)) found.push({ pid, root, cwd });
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return found;
}

/** SIGKILL each, so that a failed test still leaves the machine clean. */
export function killAll(processes: InsideProcess[]): void {
  for (const { pid } of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
