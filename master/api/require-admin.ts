import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A preHandler that lets through only requests bearing the admin token. */
export function requireAdmin(token: string | undefined) {
  // Hash both sides so the compare is constant-time whatever the lengths.
  const expected = token ? createHash('sha256').update(token).digest() : null;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!expected) return reply.code(401).send({ error: 'no admin token is configured (http.adminToken)' });
    if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
      return reply.code(401).send({ error: 'admin token required (Authorization: Bearer <token>)' });
    }
  };
}
