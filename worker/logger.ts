// The worker logs through this small interface so the CLI can hand in its own (pino's methods fit).

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One line per message on stderr, with a timestamp and the worker's name. */
export function createConsoleLogger(prefix: string, options: { debug?: boolean; write?: (line: string) => void } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const log = (level: string) => (message: string) => write(`${new Date().toISOString()} ${level} ${prefix}: ${message}\n`);
  return {
    debug: options.debug ? log('DEBUG') : () => {},
    info: log('INFO'),
    warn: log('WARN'),
    error: log('ERROR'),
  };
}
