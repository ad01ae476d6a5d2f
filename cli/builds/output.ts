// Where a subcommand writes: lines for people, JSON for scripts, and the clock for "ago".
export interface Output {
  line(text: string): void;
  json(value: unknown): void;
  /** Raw text (a log), written as it comes. */
  write(text: string): void;
  now(): number;
}

export function processOutput(stdout: NodeJS.WritableStream = process.stdout): Output {
  return {
    line: (text) => void stdout.write(`${text}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    write: (text) => void stdout.write(text),
    now: Date.now,
  };
}
