// Signing GitHub webhooks in tests, independently of the code under test (node:crypto only), and
// real recorded payloads from @octokit/webhooks-examples.

import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

export interface SignatureHeaders {
  'x-hub-signature-256': string;
  'x-hub-signature': string;
}

/** GitHub's two signatures over exactly these bytes. */
export function signBody(secret: string, bytes: string | Buffer): SignatureHeaders {
  const hmac = (algorithm: 'sha256' | 'sha1') => createHmac(algorithm, secret).update(bytes).digest('hex');
  return { 'x-hub-signature-256': `sha256=${hmac('sha256')}`, 'x-hub-signature': `sha1=${hmac('sha1')}` };
}

/** Which of the signature headers present match `bytes` (null where the header is absent). */
export function verifyBody(
  secret: string,
  bytes: string | Buffer,
  headers: Record<string, string | string[] | undefined>,
): { sha256: boolean | null; sha1: boolean | null } {
  const expected = signBody(secret, bytes);
  const check = (name: keyof SignatureHeaders) =>
    headers[name] === undefined ? null : headers[name] === expected[name];
  return { sha256: check('x-hub-signature-256'), sha1: check('x-hub-signature') };
}

export interface WebhookHeaderOptions {
  /** Default: a fresh UUID, as GitHub sends. */
  deliveryId?: string;
  /** Only the legacy sha1 `x-hub-signature`, like older senders and saved deliveries. */
  sha1Only?: boolean;
  /** No signature at all, like a webhook configured without a secret. */
  noSignature?: boolean;
}

/** The headers GitHub sends with a delivery of `body` (the exact bytes that will be posted). */
export function webhookHeaders(
  event: string,
  body: string | Buffer,
  secret: string,
  options: WebhookHeaderOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': event,
    'x-github-delivery': options.deliveryId ?? randomUUID(),
  };
  if (options.noSignature) return headers;
  const signatures = signBody(secret, body);
  headers['x-hub-signature'] = signatures['x-hub-signature'];
  if (!options.sha1Only) headers['x-hub-signature-256'] = signatures['x-hub-signature-256'];
  return headers;
}

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}

let definitions: WebhookDefinition[] | undefined;

/**
 * A deep copy of a real payload: the `index`-th example of `event` (with `action`, when given).
 * Throws, listing what exists, when there is no such example.
 */
export function examplePayload(event: string, action?: string, index = 0): Record<string, any> {
  definitions ??= createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
  const definition = definitions.find((d) => d.name === event);
  if (!definition) throw new Error(`no webhook examples for event "${event}"`);
  const matching = definition.examples.filter((e) => action === undefined || e.action === action);
  const example = matching[index];
  if (!example) {
    const actions = [...new Set(definition.examples.map((e) => String(e.action)))].join(', ');
    throw new Error(`no example #${index} of ${event}${action ? `.${action}` : ''} (actions: ${actions})`);
  }
  return structuredClone(example);
}

/** POST a signed pull_request.opened of `repo`'s PR `n` at head `sha` to a master's webhook URL; resolves with the status. */
export async function postPrOpened(masterUrl: string, secret: string, repo: string, n: number, sha: string): Promise<number> {
  const p = examplePayload('pull_request', 'opened');
  p.repository.full_name = repo;
  p.pull_request.head.repo.full_name = repo;
  p.number = n;
  p.pull_request.head.sha = sha;
  const body = JSON.stringify(p);
  const res = await fetch(`${masterUrl}/change_hook/github`, { method: 'POST', body, headers: webhookHeaders('pull_request', body, secret) });
  return res.status;
}
