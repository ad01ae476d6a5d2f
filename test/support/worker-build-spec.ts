// Test helpers for the worker: build specs with defaults, a sink that records messages, a logger
// that keeps its lines, and a check that a process is really gone.
import { readFileSync } from 'node:fs';
import type { BuildFinished, BuildSpec, LogStream, SequencedMessage, StepFinished, StepSpec } from '../../shared/protocol.js';
import type { BuildSink } from '../../worker/build-runner.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import type { Unsequenced } from '../../worker/outbox.js';

export function step(id: string, name: string, fields: Partial<StepSpec> = {}): StepSpec {
  return { id, name, env: {}, haltOnFailure: true, always: false, junit: [], artifacts: [], ...fields };
}

export function buildSpec(steps: StepSpec[], fields: Partial<BuildSpec> = {}): BuildSpec {
  const buildId = fields.buildId ?? 1;
  return {
    buildId,
    builder: 'unit',
    number: 1,
    executor: 'host',
    repo: 'acme/widgets',
    pr: 7,
    sha: 'a'.repeat(40),
    timeoutMs: 60_000,
    env: { GATEHOUSE_BUILD_ID: String(buildId), GATEHOUSE_BUILDER: 'unit', GATEHOUSE_PR: '7' },
    secrets: [],
    steps,
    ...fields,
  };
}

type AnyMessage = Unsequenced | SequencedMessage;

/** What a build said, whether it came straight from the runner or through the test master. */
export class MessageLog {
  constructor(readonly messages: AnyMessage[] = []) {}

  logChunks(buildId: number, stepId: string, stream: LogStream = 'stdout'): string[] {
    return this.messages.filter((m) => m.type === 'log' && m.buildId === buildId && m.step === stepId && m.stream === stream).map((m) => String((m as { data: string | Buffer }).data));
  }

  log(buildId: number, stepId: string, stream: LogStream = 'stdout'): string {
    return this.logChunks(buildId, stepId, stream).join('');
  }

  finished(buildId: number, stepId: string): Omit<StepFinished, 'seq'> | undefined {
    return this.messages.find((m): m is StepFinished => m.type === 'step.finished' && m.buildId === buildId && m.step === stepId);
  }

  buildFinished(buildId: number): Array<Omit<BuildFinished, 'seq'>> {
    return this.messages.filter((m): m is BuildFinished => m.type === 'build.finished' && m.buildId === buildId);
  }
}

export class RecordingSink extends MessageLog implements BuildSink {
  send(message: Unsequenced): void {
    // A log's bytes are only lent for the call (the outbox copies them into its frame).
    this.messages.push(message.type === 'log' ? { ...message, data: Buffer.from(message.data) } : message);
  }
}

export interface CapturedLogger extends Logger {
  lines: string[];
}

/** A real logger at debug whose lines are kept as "<level> <message>". */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  const write = (line: string) => {
    const { level, msg } = JSON.parse(line) as { level: number; msg?: string };
    lines.push(`${names[level] ?? level} ${msg ?? ''}`);
  };
  return Object.assign(createLogger({ level: 'debug', destination: { write } }), { lines });
}

/** Running or sleeping, not gone and not a zombie (an orphan's zombie may linger if nobody reaps it). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
