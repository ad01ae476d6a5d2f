// One background job that works through an outbox: wake() starts a pass on the next turn (never
// inside the caller's event, which must not wait for it or see its errors); a wake during a pass
// makes another pass after it; schedule(at) wakes it later; close() stops it and waits a while for
// the pass in flight. The outbox sender (statuses, check runs, PR comments) and the notification sender are both this.
import type { Logger } from '../shared/logger.js';

export interface BackgroundDrain {
  wake(): void;
  /** Wake at `at` (ms since the epoch), replacing an earlier schedule. */
  schedule(at: number): void;
  /** Record a pass's outcome; after close() timed out the database may be gone, and a failure is dropped (the row stays pending for the next start). */
  record(update: () => void): void;
  readonly closed: boolean;
  /** Stop; waits up to `waitMs` for a pass in progress. */
  close(waitMs?: number): Promise<void>;
}

export function backgroundDrain(name: string, pass: () => Promise<void>, deps: { now: () => number; logger: Logger }): BackgroundDrain {
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  async function passes(): Promise<void> {
    do {
      again = false;
      await pass();
    } while (again && !closed);
  }

  function wake(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = new Promise((r) => setImmediate(r))
      .then(passes)
      .catch((error: unknown) => deps.logger.error({ err: (error as Error).message }, `${name} failed`))
      .finally(() => {
        running = null;
      });
  }

  return {
    wake,
    schedule(at) {
      if (closed) return;
      clearTimeout(timer);
      // Timers hold at most ~24.8 days; a far time simply wakes up early and re-checks.
      timer = setTimeout(wake, Math.min(Math.max(at - deps.now(), 0), 2 ** 31 - 1));
      timer.unref?.();
    },
    record(update) {
      try {
        update();
      } catch (error) {
        if (!closed) throw error;
      }
    },
    get closed() {
      return closed;
    },
    async close(waitMs = 5_000) {
      closed = true;
      clearTimeout(timer);
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, waitMs).unref())]);
    },
  };
}
