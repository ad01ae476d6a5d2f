// One line per request, at debug: at info, access logs were most of what an operator saw. Errors
// keep fastify's own line at error. (fastify 5.12 deprecates `disableRequestLogging` for this.)
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class DebugAccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.debug(line, 'request');
  }
}
