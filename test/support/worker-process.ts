// A real `gatehouse worker` process, for tests that kill it or cut its connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './master-process.js';
import { TEST_SECRETS } from './test-config.js';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startWorkerProcess(configFile: string, name: string, master: string, env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--config', configFile, '--name', name, '--master', master], {
    env: { ...process.env, ...TEST_SECRETS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return {
    child,
    output: () => out,
    async waitFor(text, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      const seen = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
      while (!seen()) {
        if (Date.now() > deadline) throw new Error(`worker ${name}: no "${String(text)}" within ${timeoutMs} ms:\n${out}`);
        if (child.exitCode !== null) throw new Error(`worker ${name} exited (${child.exitCode}):\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
