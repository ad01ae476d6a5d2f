// Stopping a server a test started as a child process: SIGTERM, then SIGKILL if it has not exited
// within 5 s; resolves once it has exited.
import type { ChildProcess } from 'node:child_process';

export interface ChildStopper {
  /** Whether the child has exited (by itself or stopped). */
  exited(): boolean;
  stop(): Promise<void>;
}

export function childStopper(child: ChildProcess): ChildStopper {
  let exited = child.exitCode !== null || child.signalCode !== null;
  const exit = exited ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  return {
    exited: () => exited,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}
