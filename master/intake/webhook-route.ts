// POST /change_hook/github: the only way a webhook changes state. Order matters: signature
// first (401, nothing recorded), then parsing (400), then the delivery id (a repeat changes
// nothing), then one transaction that records the delivery and its change. Trigger evaluation
// happens after the reply, from the stored change.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../queue/open-database.js';
import type { ChangeStore } from '../queue/change-store.js';
import type { DeliveryStore } from '../queue/delivery-store.js';
import type { EventBus } from '../event-bus.js';
import { verifySignature } from './verify-signature.js';
import { normalizeChange, PayloadError } from './normalize-change.js';

export const WEBHOOK_PATH = '/change_hook/github';
/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface WebhookRouteDeps {
  db: Db;
  secrets: readonly string[];
  deliveries: DeliveryStore;
  changes: ChangeStore;
  bus: EventBus;
  now: () => number;
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

export async function webhookRoute(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  // The HMAC is over the exact bytes received, so both body types arrive as raw buffers. This
  // plugin is encapsulated: the rest of the app keeps fastify's JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES }, (_req, body, done) => done(null, body));

  app.post(WEBHOOK_PATH, { bodyLimit: MAX_WEBHOOK_BYTES }, async (request, reply) => {
    const raw = request.body;
    if (!Buffer.isBuffer(raw)) return reply.code(415).send({ error: 'expected application/json or application/x-www-form-urlencoded' });
    const signed = verifySignature(deps.secrets, raw, {
      sha256: header(request.headers['x-hub-signature-256']),
      sha1: header(request.headers['x-hub-signature']),
    });
    if (!signed) {
      request.log.warn({ delivery: request.headers['x-github-delivery'] }, 'webhook refused: missing or wrong signature');
      return reply.code(401).send({ error: 'missing or wrong signature' });
    }
    const event = header(request.headers['x-github-event']);
    const deliveryId = header(request.headers['x-github-delivery']);
    if (!event) return reply.code(400).send({ error: 'missing X-GitHub-Event header' });
    if (!deliveryId) return reply.code(400).send({ error: 'missing X-GitHub-Delivery header' });

    const text = payloadText(header(request.headers['content-type']) ?? '', raw);
    if (text === null) return reply.code(400).send({ error: 'form body without a payload field' });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return reply.code(400).send({ error: 'body is not valid JSON' });
    }
    if (event === 'ping') return reply.code(200).send({ ok: true, event: 'ping' });

    let normalized;
    try {
      normalized = normalizeChange(event, body);
    } catch (error) {
      if (error instanceof PayloadError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    const change = normalized.kind === 'change' ? normalized.change : null;
    const action = change?.action ?? (normalized.kind === 'ignored' ? normalized.action ?? null : null);
    const fresh = deps.db.transaction(() => {
      const inserted = deps.deliveries.insert({
        id: deliveryId, event, action,
        repo: change?.repo ?? (normalized.kind === 'ignored' ? normalized.repo ?? null : null),
        pr: change?.pr ?? (normalized.kind === 'ignored' ? normalized.pr ?? null : null),
        sha: change?.sha ?? null,
        outcome: change ? 'pending' : 'ignored',
        detail: normalized.kind === 'ignored' ? normalized.reason : null,
        received_at: deps.now(),
      });
      if (inserted && change) deps.changes.insert(deliveryId, change);
      return inserted;
    })();
    if (!fresh) return reply.code(200).send({ ok: true, duplicate: true, delivery: deliveryId });
    deps.bus.emit({ type: 'delivery', id: deliveryId });
    if (!change) return reply.code(202).send({ ok: true, ignored: normalized.kind === 'ignored' ? normalized.reason : '' });
    deps.onChange();
    return reply.code(200).send({ ok: true, delivery: deliveryId });
  });
}
