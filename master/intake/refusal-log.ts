// Refused webhooks are logged as a summary (see rate-limited-log.ts): a flood of forgeries costs a
// few lines a minute, not one line a request.
import type { Logger } from '../../shared/logger.js';
import { createRateLimitedLog } from '../rate-limited-log.js';

export interface RefusalLog {
  refused(reason: string, details: Record<string, unknown>): void;
  close(): void;
}

export function createRefusalLog(logger: Pick<Logger, 'warn'>, windowMs = 60_000): RefusalLog {
  const log = createRateLimitedLog({ emit: (obj, msg) => logger.warn(obj, msg), summary: 'more webhooks refused (counts per reason)', countsField: 'refused', windowMs });
  return {
    refused: (reason, details) => log.note(reason, { ...details, reason }, `webhook refused: ${reason}`),
    close: () => log.close(),
  };
}
