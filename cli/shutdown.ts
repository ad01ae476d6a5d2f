// SIGTERM/SIGINT for the long-running commands: stop gracefully, but within a deadline (a hung
// close must not keep systemd waiting until it kills), and at once on a second signal.
import type { Logger } from '../shared/logger.js';

/** Exit codes of `gatehouse master` / `up` when stopped (the README's table). */
export const EXIT_CLEAN = 0;
export const EXIT_ERROR = 1;

export interface ShutdownOptions {
  /** Stops everything; the process exits when it resolves. */
  close(): Promise<void>;
  timeoutMs: number;
  logger: Logger;
  /** Default: process.exit. */
  exit?: (code: number) => void;
  /** Where signals come from (default: this process). */
  signals?: Pick<NodeJS.EventEmitter, 'on'>;
}

export function exitOnSignals(options: ShutdownOptions): void {
  const { logger, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'signalled again: exiting now');
      return exit(EXIT_ERROR);
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down; signal again to exit at once');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time; exiting');
      exit(EXIT_ERROR);
    }, timeoutMs);
    options.close().then(
      () => {
        clearTimeout(deadline);
        logger.info('stopped');
        exit(EXIT_CLEAN);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: error }, 'shutdown failed');
        exit(EXIT_ERROR);
      },
    );
  };
  const signals = options.signals ?? process;
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
}
