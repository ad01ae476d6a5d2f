// Finding a step's processes from outside. A step runs in a PID namespace of its own, so the PIDs it
// sees ($!, $$) mean nothing here; instead a test gives the step an environment variable with a
// unique mark, which every process the step starts inherits, and looks for it in /proc/*/environ.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isAlive } from './worker-build-spec.js';

export const MARK_VARIABLE = 'GATEHOUSE_TEST_MARK';

export function newMark(): string {
  return randomUUID();
}

/** Live processes (zombies excluded) whose environment carries `mark`. */
export function markedProcesses(mark: string): number[] {
  const entry = Buffer.from(`${MARK_VARIABLE}=${mark}`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue; // gone meanwhile, or a kernel thread
    }
    if (environ.toString('latin1').split('\0').includes(entry.toString('latin1')) && isAlive(Number(name))) pids.push(Number(name));
  }
  return pids;
}

/** Collects every marked process seen while it runs (polling), so a test can check later that each is gone. */
export function watchMarked(mark: string, everyMs = 20): { seen: Set<number>; stop: () => void } {
  const seen = new Set<number>();
  const look = () => {
    for (const pid of markedProcesses(mark)) seen.add(pid);
  };
  look();
  const timer = setInterval(look, everyMs);
  return { seen, stop: () => clearInterval(timer) };
}

/** SIGKILL every live process carrying `mark`, and wait until none is left (a few seconds at most). */
export async function endMarked(mark: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (let left = markedProcesses(mark); left.length > 0; left = markedProcesses(mark)) {
    if (Date.now() > deadline) throw new Error(`processes marked ${mark} did not end: ${left.join(', ')}`);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
