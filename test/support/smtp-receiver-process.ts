// Starts scripts/smtp-receiver.ts in a child process and collects the mail it receives.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './master-process.js';
import { childStopper } from './child-stopper.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message: headers and body. */
  data: string;
}

export interface SmtpReceiver {
  port: number;
  mail: ReceivedMail[];
  /** Resolves when `n` mails have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/scripts/smtp-receiver.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const mail: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const { stop } = childStopper(child);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the SMTP receiver did not start within 20 s')), 20_000);
      child.once('exit', (code) => reject(new Error(`the SMTP receiver exited (${code}) before listening`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as { listening?: number; mail?: ReceivedMail };
        if (event.listening !== undefined) {
          clearTimeout(timer);
          resolve(event.listening);
        }
        if (event.mail) {
          mail.push(event.mail);
          for (const w of waiters) w();
        }
      });
    });
    return {
      port,
      mail,
      waitFor(n, timeoutMs = 10_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            if (mail.length < n) return;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(mail.slice(0, n));
          };
          const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`${mail.length} of ${n} mails arrived in ${timeoutMs} ms`))), timeoutMs);
          waiters.add(check);
          check();
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
