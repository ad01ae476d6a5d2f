// The one logger of master, worker and CLI: pino. JSON lines on stderr when it is not a terminal
// (systemd's journal, a log shipper), readable lines on a terminal. stderr, because stdout is a
// command's answer (`gatehouse images build` prints its result there, for scripts). Parts log through a child
// (`logger.child({ part: 'dispatch' })`) with structured fields, so one line names where it came from.
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Default: GATEHOUSE_LOG_LEVEL, else info. */
  level?: LogLevel;
  /** A name on every line (e.g. the command). */
  name?: string;
  /** Readable lines instead of JSON (default: when stderr is a terminal). */
  pretty?: boolean;
  /** Where lines go (default stderr); tests pass a stream that keeps them. */
  destination?: DestinationStream;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A GATEHOUSE_LOG_LEVEL that is no level: the CLI says so in one line. */
export class LogLevelError extends Error {}

/** The level from GATEHOUSE_LOG_LEVEL, or info; a wrong value is an error that says which are right. */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): LogLevel {
  const value = env.GATEHOUSE_LOG_LEVEL;
  if (value === undefined || value === '') return 'info';
  if (!isLogLevel(value)) throw new LogLevelError(`GATEHOUSE_LOG_LEVEL=${value}: expected one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? logLevelFromEnv();
  // pino-pretty as a stream in this thread, not a worker-thread transport: a transport is loaded
  // by file name at run time, which a bundled or packed install may not have where pino looks.
  // Loaded only for a terminal: under systemd it would be ~2 MiB of the master's RSS for nothing.
  const destination = options.destination
    ?? ((options.pretty ?? process.stderr.isTTY === true)
      ? loadPretty()({ colorize: true, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: 2 })
      : pino.destination({ fd: 2, sync: true }));
  // pid and hostname are left out: the journal records both, and a terminal needs neither.
  return pino({ level, base: options.name ? { name: options.name } : undefined }, destination);
}

function loadPretty(): typeof import('pino-pretty') {
  return createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
}

/** Logs nothing: for tests and callers that want no output. */
export const silentLogger: Logger = pino({ level: 'silent' });
