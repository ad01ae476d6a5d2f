// Runs an async job now and then: after `firstDelayMs`, then `intervalMs` after each run ends (never
// two runs at once). A failing run is logged and the next one still comes. Timers are unref'd: a
// pending run never keeps the process alive.
import type { Logger } from '../shared/logger.js';

export interface Repeating {
  /** Stop; waits up to `waitMs` (default 5 s) for a run in progress, so a slow GitHub cannot hold up a shutdown. */
  stop(waitMs?: number): Promise<void>;
}

export function repeat(name: string, job: () => Promise<unknown>, options: { firstDelayMs: number; intervalMs: number; logger: Logger }): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | null = null;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(run, Math.min(ms, 2 ** 31 - 1));
    timer.unref?.();
  };
  function run(): void {
    current = job()
      .catch((error: unknown) => options.logger.warn({ job: name, err: (error as Error).message }, `${name} failed; will try again`))
      .finally(() => {
        current = null;
        schedule(options.intervalMs);
      });
  }
  schedule(options.firstDelayMs);
  return {
    async stop(waitMs = 5_000) {
      stopped = true;
      clearTimeout(timer);
      if (current) await Promise.race([current, new Promise((r) => setTimeout(r, waitMs).unref())]);
    },
  };
}
