// `gatehouse send URL FILE`: posts a saved delivery exactly as saved (what `pysmee send` does), to
// a master's /change_hook/github or to a smee channel URL, and prints each response. A file of
// several deliveries, one JSON object per line, is sent line by line in order.

import { readFile } from 'node:fs/promises';
import { parseSavedDeliveries, sendSavedDelivery, type ParsedDelivery } from './saved-delivery.js';
import type { TextOutput } from './sign-command.js';

export interface SendCommandOptions {
  url: string;
  file: string;
  stdout: TextOutput;
  stderr: TextOutput;
}

/** Returns the exit code: 0 all answered 2xx, 1 a non-2xx answer or a network error, 2 bad input. */
export async function sendCommand({ url, file, stdout, stderr }: SendCommandOptions): Promise<number> {
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    stderr.write(`gatehouse send: "${url}" is not an http(s) URL\n`);
    return 2;
  }
  let deliveries: ParsedDelivery[];
  try {
    deliveries = parseSavedDeliveries(await readFile(file, 'utf8'));
  } catch (err) {
    stderr.write(`gatehouse send: ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  let code = 0;
  for (const delivery of deliveries) {
    const what = `${delivery.headers['x-github-event']} ${delivery.headers['x-github-delivery'] ?? '(no delivery id)'}`;
    try {
      const { status, body } = await sendSavedDelivery(url, delivery);
      stdout.write(`${what} → ${status}\n${body}${body && !body.endsWith('\n') ? '\n' : ''}`);
      if (status < 200 || status > 299) code = 1;
    } catch (err) {
      const { message, code: errno } = err as Error & { code?: string };
      const detail = errno && !message.includes(errno) ? ` (${errno})` : '';
      stderr.write(`gatehouse send: ${what}: ${message}${detail}\n`);
      code = 1;
    }
  }
  return code;
}
