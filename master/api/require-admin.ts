import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { apiError } from './errors.js';

/** A preHandler that lets through only requests bearing the admin token. */
export function requireAdmin(token: string | undefined) {
  // Hash both sides so the compare is constant-time whatever the lengths.
  const expected = token ? createHash('sha256').update(token).digest() : null;
  return async (request: FastifyRequest) => {
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!expected) throw apiError('admin_token_not_configured');
    if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), expected)) throw apiError('admin_token_required');
  };
}
