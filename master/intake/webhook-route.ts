// POST /change_hook/github: the only way a webhook changes state. Order matters: the body's
// announced length is reserved from the unauthenticated-bytes budget before any byte is read (411,
// 413 or 503 otherwise), and must arrive in time, hashed as it comes; then the signature (401, nothing recorded), the
// parsing (400), the delivery id (a repeat changes nothing), the repository (one not served here
// is recorded as ignored, 202), and one transaction that records the delivery and its change.
// Trigger evaluation happens after the reply, from the stored change.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Stores } from '../store/stores.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../../shared/logger.js';
import { createSignatureCheck, type SignatureCheck } from './verify-signature.js';
import { normalizeChange, PayloadError } from './normalize-change.js';
import { createByteBudget } from './byte-budget.js';
import { nestsDeeperThan } from './json-depth.js';
import { createRefusalLog } from './refusal-log.js';
import { notServedReason, type IsServed } from './served-repos.js';

export const WEBHOOK_PATH = '/change_hook/github';
/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** Far beyond any GitHub payload (about 10), far below what makes parsing costly. */
const MAX_JSON_DEPTH = 64;
/** What a refused-for-room sender is told to wait, in seconds. */
const RETRY_AFTER_SECONDS = 5;

export interface WebhookRouteDeps {
  /** The delivery and its change are recorded in one transaction. */
  stores: Pick<Stores, 'deliveries' | 'changes' | 'transaction'>;
  secrets: readonly string[];
  bus: EventBus;
  now: () => number;
  isServed: IsServed;
  /** Bytes of bodies held at once before their signature is checked. */
  bufferBytes: number;
  /** A body must have arrived this long after the headers. */
  bodyTimeoutMs: number;
  logger: Logger;
  /** Called after a change is stored (starts trigger evaluation). */
  onChange: () => void;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The JSON text of the payload: the body itself, or the `payload` field of a form post. */
function payloadText(contentType: string, raw: Buffer): string | null {
  if (contentType.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams(raw.toString('utf8')).get('payload');
  return raw.toString('utf8');
}

/** A body read whole, with its signature checked on the way. */
interface SignedBody {
  bytes: Buffer;
  signed: boolean;
}

/**
 * Reads a body of a known length into one buffer (no chunk list to concatenate: one copy in
 * memory), feeding each chunk to the signature check as it arrives.
 */
function readBody(stream: NodeJS.ReadableStream, length: number, check: SignatureCheck): Promise<SignedBody> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.allocUnsafe(length);
    let at = 0;
    stream.on('data', (chunk: Buffer) => {
      if (at + chunk.length > length) return reject(Object.assign(new Error('body longer than its Content-Length'), { statusCode: 400 }));
      chunk.copy(bytes, at);
      check.update(chunk);
      at += chunk.length;
    });
    stream.on('end', () => (at === length ? resolve({ bytes, signed: check.valid() }) : reject(Object.assign(new Error('body shorter than its Content-Length'), { statusCode: 400 }))));
    stream.on('error', reject);
    // A sender that goes away (or is cut off for being slow) leaves a body that never ends.
    stream.on('close', () => reject(Object.assign(new Error('connection closed before the body ended'), { statusCode: 400 })));
  });
}

const isSignedBody = (body: unknown): body is SignedBody =>
  typeof body === 'object' && body !== null && Buffer.isBuffer((body as SignedBody).bytes);

export async function webhookRoute(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  const budget = createByteBudget(deps.bufferBytes);
  const refusals = createRefusalLog(deps.logger);
  app.addHook('onClose', async () => refusals.close());

  const refuse = (request: FastifyRequest, reply: FastifyReply, code: number, reason: string, extra: Record<string, unknown> = {}) => {
    refusals.refused(reason, { delivery: header(request.headers['x-github-delivery']), ip: request.ip, ...extra });
    return reply.code(code).send({ error: reason });
  };

  // The HMAC is over the exact bytes received, so both body types arrive as raw buffers. This
  // plugin is encapsulated: the rest of the app keeps fastify's JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], (request: FastifyRequest, payload: NodeJS.ReadableStream) =>
    readBody(payload, Number(request.headers['content-length']), createSignatureCheck(deps.secrets, {
      sha256: header(request.headers['x-hub-signature-256']),
      sha1: header(request.headers['x-hub-signature']),
    })));

  // Before the body: its length must be announced, allowed and fit the budget, or no byte of it is
  // read (the connection closes with the answer). Then it has a deadline.
  const admit = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const announced = header(request.headers['content-length']);
    if (announced === undefined || !/^[0-9]{1,10}$/.test(announced)) {
      reply.header('connection', 'close');
      return refuse(request, reply, 411, 'a webhook must announce its Content-Length');
    }
    const length = Number(announced);
    if (length > MAX_WEBHOOK_BYTES) {
      reply.header('connection', 'close');
      return refuse(request, reply, 413, `body over ${MAX_WEBHOOK_BYTES} bytes (GitHub's limit)`, { length });
    }
    if (!budget.tryReserve(length)) {
      reply.header('connection', 'close').header('retry-after', String(RETRY_AFTER_SECONDS));
      return refuse(request, reply, 503, 'too many webhook bytes in flight', { length, inFlight: budget.used });
    }
    const deadline = setTimeout(() => {
      if (request.raw.complete) return;
      refusals.refused('body too slow', { delivery: header(request.headers['x-github-delivery']), ip: request.ip, afterMs: deps.bodyTimeoutMs });
      request.raw.socket.destroy();
    }, deps.bodyTimeoutMs);
    reply.raw.once('close', () => {
      clearTimeout(deadline);
      budget.release(length);
    });
    return undefined;
  };

  app.post(WEBHOOK_PATH, { bodyLimit: MAX_WEBHOOK_BYTES, onRequest: admit }, async (request, reply) => {
    if (!isSignedBody(request.body)) {
      return refuse(request, reply, 415, 'expected application/json or application/x-www-form-urlencoded', { contentType: request.headers['content-type'] });
    }
    const { bytes: raw, signed } = request.body;
    if (!signed) return refuse(request, reply, 401, 'missing or wrong signature');
    const event = header(request.headers['x-github-event']);
    const deliveryId = header(request.headers['x-github-delivery']);
    if (!event) return refuse(request, reply, 400, 'missing X-GitHub-Event header');
    if (!deliveryId) return refuse(request, reply, 400, 'missing X-GitHub-Delivery header');

    const text = payloadText(header(request.headers['content-type']) ?? '', raw);
    if (text === null) return refuse(request, reply, 400, 'form body without a payload field');
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return refuse(request, reply, 400, `body nests deeper than ${MAX_JSON_DEPTH} levels`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return refuse(request, reply, 400, 'body is not valid JSON');
    }

    let normalized;
    try {
      normalized = normalizeChange(event, body);
    } catch (error) {
      if (error instanceof PayloadError) return refuse(request, reply, 400, error.message, { event });
      throw error;
    }
    const repo = normalized.kind === 'change' ? normalized.change.repo : normalized.repo;
    const served = repo === undefined || deps.isServed(repo);
    const change = normalized.kind === 'change' && served ? normalized.change : null;
    const ignored = normalized.kind === 'change' ? (served ? null : notServedReason(repo as string)) : served ? normalized.reason : notServedReason(repo as string);
    const fresh = deps.stores.transaction(() => {
      const inserted = deps.stores.deliveries.insert({
        id: deliveryId, event,
        action: normalized.kind === 'change' ? normalized.change.action : normalized.action ?? null,
        repo: repo ?? null,
        pr: normalized.kind === 'change' ? normalized.change.pr : normalized.pr ?? null,
        sha: normalized.kind === 'change' ? normalized.change.sha : null,
        outcome: change ? 'pending' : 'ignored',
        detail: ignored,
        received_at: deps.now(),
      });
      if (inserted && change) deps.stores.changes.insert(deliveryId, change);
      return inserted;
    });
    if (!fresh) return reply.code(200).send({ ok: true, duplicate: true, delivery: deliveryId });
    deps.bus.emit({ type: 'delivery', id: deliveryId });
    if (event === 'ping') return reply.code(200).send({ ok: true, event: 'ping' });
    if (!change) return reply.code(202).send({ ok: true, ignored });
    deps.onChange();
    return reply.code(200).send({ ok: true, delivery: deliveryId });
  });
}
