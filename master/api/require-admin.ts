import type { FastifyRequest } from 'fastify';
import { bearerMatches } from '../bearer-token.js';
import { apiError } from './errors.js';

/** A preHandler that lets through only requests bearing the admin token. */
export function requireAdmin(token: string | undefined) {
  return async (request: FastifyRequest) => {
    if (!token) throw apiError('admin_token_not_configured');
    if (!bearerMatches(request.headers.authorization, token)) throw apiError('admin_token_required');
  };
}
