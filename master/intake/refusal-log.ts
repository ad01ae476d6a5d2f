// Refused webhooks are logged as a summary: the first refusal of each reason in a window is logged
// with its details (so a wrong secret is seen at once), the rest only counted and reported as one
// line per window. A flood of forgeries costs a few lines a minute, not one line a request.
import type { Logger } from '../logger.js';

export interface RefusalLog {
  refused(reason: string, details: Record<string, unknown>): void;
  close(): void;
}

export function createRefusalLog(logger: Pick<Logger, 'warn'>, windowMs = 60_000): RefusalLog {
  let counts = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    timer = undefined;
    const suppressed = Object.fromEntries([...counts].filter(([, n]) => n > 1).map(([reason, n]) => [reason, n - 1]));
    counts = new Map();
    if (Object.keys(suppressed).length > 0) logger.warn({ refused: suppressed, windowSeconds: windowMs / 1000 }, 'more webhooks refused (counts per reason)');
  }

  return {
    refused(reason, details) {
      const n = (counts.get(reason) ?? 0) + 1;
      counts.set(reason, n);
      if (n === 1) logger.warn({ ...details, reason }, `webhook refused: ${reason}`);
      timer ??= setTimeout(flush, windowMs).unref();
    },
    close() {
      clearTimeout(timer);
      flush();
    },
  };
}
