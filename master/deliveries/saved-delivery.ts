// Saved deliveries: the message format of smee.io, which is also what `pysmee show --save` writes
// and what Ember-CSI's `test-ok`/`test-broken` files hold. One flat JSON object:
//   { "x-github-event": "pull_request", "x-github-delivery": "<uuid>", "x-hub-signature": "sha1=…",
//     "x-hub-signature-256": "sha256=…", "content-type": "application/json", …other headers,
//     "body": { …the payload… }, "query": {}, "timestamp": 1700000000000 }
// The bytes posted are always `JSON.stringify(body)`: what smee-client forwards and what GitHub's
// compact JSON looks like. Signatures made here are over exactly those bytes. A delivery saved from
// GitHub whose body GitHub wrote differently (e.g. `\u001B` where JSON.stringify writes `\u001b`)
// no longer verifies once re-serialized, through smee or through `send`: nothing can fix that.

import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export type JsonObject = Record<string, unknown>;

/** A saved delivery as stored: lower-case header names at the top level, plus body/query/timestamp. */
export interface SavedDelivery {
  [header: string]: unknown;
  body: JsonObject;
  query?: Record<string, string>;
  timestamp?: number;
}

/** What gets posted: the headers as sent and the exact body bytes. */
export interface ParsedDelivery {
  headers: Record<string, string>;
  body: JsonObject;
  rawBody: string;
  /** The saved query, appended to the target URL on send (as smee-client does); usually empty. */
  query: Record<string, string>;
}

export class SavedDeliveryError extends Error {
  override name = 'SavedDeliveryError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Not sent as given: host and content-length are the new request's own (smee-client drops and
// recomputes them too); the rest are hop-by-hop and Node refuses or misuses them on a fresh request.
const NOT_FORWARDED = new Set([
  'host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer',
]);

/** Parses one saved delivery (a single JSON object, pretty-printed or not). */
export function parseSavedDelivery(text: string): ParsedDelivery {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SavedDeliveryError(`not JSON: ${(err as Error).message}`);
  }
  return toParsedDelivery(value);
}

/**
 * Parses a file holding one saved delivery, or several as JSON lines (one per line, the way
 * `pysmee show --save` appends them). Errors name the line.
 */
export function parseSavedDeliveries(text: string): ParsedDelivery[] {
  try {
    return [parseSavedDelivery(text)];
  } catch (err) {
    const lines = text.split('\n').map((l) => l.trim());
    if (lines.filter(Boolean).length < 2) throw err;
    return lines.flatMap((line, i) => {
      if (!line) return [];
      try {
        return [parseSavedDelivery(line)];
      } catch (e) {
        throw new SavedDeliveryError(`line ${i + 1}: ${(e as Error).message}`);
      }
    });
  }
}

/** Checks a saved-delivery object and derives what would be posted. */
export function toParsedDelivery(value: unknown): ParsedDelivery {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SavedDeliveryError('a saved delivery is a JSON object of lower-case headers plus "body"');
  }
  const headers: Record<string, string> = {};
  const query: Record<string, string> = {};
  let body: unknown;
  for (const [key, v] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (name === 'body') body = v;
    else if (name === 'query') {
      if (typeof v === 'object' && v !== null) for (const [k, q] of Object.entries(v)) query[k] = String(q);
    } else if (NOT_FORWARDED.has(name) || v === null || v === undefined) continue;
    else if (typeof v === 'object') throw new SavedDeliveryError(`header "${key}" must be a string`);
    else headers[name] = String(v);
  }
  if (!headers['x-github-event']) {
    throw new SavedDeliveryError('missing the "x-github-event" header: is this a saved smee delivery?');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const what =
      body === undefined ? 'missing' : Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`;
    throw new SavedDeliveryError(`"body" must be the payload as a JSON object, but it is ${what}`);
  }
  headers['content-type'] = 'application/json';
  return { headers, body: body as JsonObject, rawBody: JSON.stringify(body), query };
}

export interface CreateSavedDeliveryOptions {
  /** The X-GitHub-Event, e.g. pull_request. */
  event: string;
  payload: JsonObject;
  secret: string;
  /** Only the legacy sha1 x-hub-signature (as older senders do). */
  sha1Only?: boolean;
  /** Default: a fresh UUID. smee.io refuses anything but a UUID. */
  deliveryId?: string;
}

/** A new saved delivery, signed for `secret` over the bytes `JSON.stringify(payload)`. */
export function createSavedDelivery(options: CreateSavedDeliveryOptions): SavedDelivery {
  const { event, payload, secret, sha1Only = false, deliveryId = randomUUID() } = options;
  if (!secret) throw new SavedDeliveryError('the webhook secret is empty');
  if (!/^[a-z_]+$/.test(event)) throw new SavedDeliveryError(`"${event}" is not a GitHub event name`);
  if (!UUID.test(deliveryId)) throw new SavedDeliveryError(`delivery id "${deliveryId}" is not a UUID`);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new SavedDeliveryError('the payload must be a JSON object');
  }
  const rawBody = JSON.stringify(payload);
  const sign = (algorithm: 'sha1' | 'sha256') =>
    `${algorithm}=${createHmac(algorithm, secret).update(rawBody).digest('hex')}`;
  return {
    'content-type': 'application/json',
    'user-agent': 'gatehouse-sign',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-hub-signature': sign('sha1'),
    ...(sha1Only ? {} : { 'x-hub-signature-256': sign('sha256') }),
    body: JSON.parse(rawBody) as JsonObject,
    query: {},
    timestamp: Date.now(),
  };
}

export interface SendResult {
  status: number;
  body: string;
}

/**
 * POSTs a saved delivery to `url` (a master's /change_hook/github or a smee channel URL) the way
 * `pysmee send` and smee-client do: the saved headers as they are (except host, content-length and
 * hop-by-hop ones; content-type is application/json since the bytes are), `JSON.stringify(body)`
 * as the body, a saved query appended to the URL. Resolves with the response whatever its status;
 * rejects on network errors.
 */
export function sendSavedDelivery(
  url: string,
  saved: SavedDelivery | ParsedDelivery,
  timeoutMs = 30_000,
): Promise<SendResult> {
  const isParsed = 'rawBody' in saved && typeof saved.rawBody === 'string';
  const { headers, rawBody, query } = isParsed ? (saved as ParsedDelivery) : toParsedDelivery(saved);
  const target = new URL(url);
  for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
  const request = target.protocol === 'https:' ? https.request : http.request;
  const bytes = Buffer.from(rawBody, 'utf8');
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers: { ...headers, 'content-length': bytes.length }, timeout: timeoutMs };
    const req = request(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(bytes);
  });
}
