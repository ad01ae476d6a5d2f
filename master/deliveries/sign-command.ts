// `gatehouse sign --secret-env VAR --event pull_request [--sha1-only] payload.json > test-ok`
// Writes a saved delivery (one JSON line, the format smee.io relays and pysmee saves), signed for
// this CI's webhook secret, with a fresh delivery id. The secret is read from an environment
// variable, never from the command line, so it stays out of shell history and `ps`.
// The payload file is a webhook payload; a saved delivery is accepted too, and re-signed.

import { readFile } from 'node:fs/promises';
import { createSavedDelivery, type JsonObject } from './saved-delivery.js';

export interface TextOutput {
  write(text: string): unknown;
}

export interface SignCommandOptions {
  /** Name of the environment variable that holds the webhook secret. */
  secretEnv: string;
  /** The X-GitHub-Event, e.g. pull_request. */
  event: string;
  /** Only the legacy sha1 x-hub-signature. */
  sha1Only?: boolean;
  payloadFile: string;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  stdout: TextOutput;
  /** Default: process.stderr. */
  stderr?: TextOutput;
}

/** Returns the exit code: 0 written, 1 unreadable payload, 2 usage (no secret, bad event). */
export async function signCommand(options: SignCommandOptions): Promise<number> {
  const { secretEnv, event, sha1Only = false, payloadFile, env = process.env, stdout } = options;
  const stderr = options.stderr ?? process.stderr;
  const secret = env[secretEnv];
  if (!secret) {
    stderr.write(
      `gatehouse sign: the environment variable ${secretEnv} is ${secret === undefined ? 'not set' : 'empty'}; ` +
        `export the webhook secret in it (the same value as github.webhookSecret) and run again\n`,
    );
    return 2;
  }
  if (!/^[a-z_]+$/.test(event)) {
    stderr.write(`gatehouse sign: "${event}" is not a GitHub event name (e.g. pull_request, issue_comment)\n`);
    return 2;
  }

  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(payloadFile, 'utf8'));
  } catch (err) {
    const why =
      err instanceof SyntaxError ? `is not JSON: ${err.message}` : `cannot be read: ${(err as Error).message}`;
    stderr.write(`gatehouse sign: ${payloadFile} ${why}\n`);
    return 1;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    stderr.write(`gatehouse sign: ${payloadFile} must hold a JSON object (a webhook payload)\n`);
    return 1;
  }
  let body = payload as JsonObject;
  const savedEvent = body['x-github-event'];
  if (typeof savedEvent === 'string' && typeof body.body === 'object' && body.body !== null) {
    if (savedEvent !== event) {
      stderr.write(`gatehouse sign: ${payloadFile} is a saved ${savedEvent} delivery, not ${event}\n`);
      return 2;
    }
    stderr.write(`gatehouse sign: ${payloadFile} is a saved delivery; re-signing its body\n`);
    body = body.body as JsonObject;
  }
  const saved = createSavedDelivery({ event, payload: body, secret, sha1Only });
  stdout.write(`${JSON.stringify(saved)}\n`);
  return 0;
}
