// The one place errors become answers. Everything is first read as a catalogue entry (errors.ts):
// the API's own, a bad list query, fastify's validation and client errors, a full disk, a bug.
// /api/v2 answers `{ error, code }`; the webhook and worker endpoints keep their plain `{ error }`.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, apiError } from './errors.js';
import { BadQueryError } from '../store/list-rows.js';
import { STORAGE_RETRY_AFTER_S, storageFailure, type StorageAlarm } from '../storage-full.js';

export function errorBody(request: FastifyRequest, error: ApiError): { error: string; code?: string } {
  return request.url.startsWith('/api/v2/') ? { error: error.message, code: error.code } : { error: error.message };
}

/** Sends `error` as its catalogue entry; a full disk adds Retry-After. */
export function sendApiError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.code === 'storage_full') reply.header('retry-after', String(STORAGE_RETRY_AFTER_S));
  return reply.code(error.statusCode).send(errorBody(request, error));
}

export function createErrorHandler(alarm: StorageAlarm) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const fastifyError = error as Partial<FastifyError>;
    let known: ApiError;
    if (error instanceof ApiError) known = error;
    else if (error instanceof BadQueryError) known = apiError('bad_query', error.message);
    else if (fastifyError.validation) known = apiError('validation_failed', error.message);
    else if (storageFailure(error)) {
      // A full disk: nothing was stored, and the sender (GitHub, a user, a worker) may try again later.
      known = apiError('storage_full', storageFailure(error) as string);
      alarm.failed('storing for a request', error, { url: request.url });
    } else if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      known = new ApiError('request_refused', fastifyError.statusCode, error.message);
    } else {
      request.log.error({ err: error }, 'request failed');
      known = apiError('internal_error');
      // fastify's own 5xx (e.g. 503 while closing) keep their status.
      if (fastifyError.statusCode !== undefined) known = new ApiError('internal_error', fastifyError.statusCode, known.message);
    }
    return sendApiError(request, reply, known);
  };
}
