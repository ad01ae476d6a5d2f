// A Server-Sent Events response, written one way for every stream route: the headers (no proxy
// buffering), `event:`/`data:` frames, comments for heartbeats, and the end.
import type { FastifyReply } from 'fastify';

export interface SseStream {
  send(event: string, data: unknown): void;
  /** A comment line: keeps idle proxies from closing the connection. */
  comment(text: string): void;
  end(): void;
}

/** Takes the reply over from fastify and opens the stream. */
export function openSseStream(reply: FastifyReply): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  return {
    send: (event, data) => void res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text) => void res.write(`: ${text}\n\n`),
    end: () => res.end(),
  };
}
