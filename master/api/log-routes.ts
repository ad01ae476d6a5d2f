// Step logs: the raw file (streamed, with Range), and a live tail over SSE that follows a running
// step from any byte offset until it finishes.
import { openSseStream } from './sse-stream.js';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { StepStore } from '../store/step-store.js';
import type { LogStore } from '../logs/log-store.js';
import type { EventBus } from '../event-bus.js';
import { apiError, errorResponses } from './errors.js';
import { stepParams as params } from './schemas/steps.js';
import { liveLogQuery, liveLogStream, logText, rangeNotSatisfiable, type LiveLogEvent } from './schemas/logs.js';

const logResponses = {
  200: logText("the step's log as committed so far"),
  206: logText('the requested byte range of the log'),
  416: rangeNotSatisfiable,
  ...errorResponses('validation_failed', 'step_not_found'),
};

export async function logRoutes(fastify: FastifyInstance, deps: { steps: StepStore; logs: LogStore; bus: EventBus }): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { logs, bus } = deps;

  // Text, streamed: typed by hand (the provider would type the reply as the schema's string).
  fastify.get<{ Params: z.infer<typeof params> }>('/api/v2/builds/:id/steps/:step/log', { schema: { params, response: logResponses } }, async (req, reply) => {
    const step = deps.steps.state(req.params.id, req.params.step);
    if (!step) throw apiError('step_not_found', req.params.id, req.params.step);
    // Only what the database has committed is served: a torn append after a crash stays hidden.
    const size = step.log_bytes;
    reply.header('content-type', 'text/plain; charset=utf-8').header('accept-ranges', 'bytes');
    if (size === 0) return reply.header('content-length', 0).send('');
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (req.headers.range && range) {
      const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
      const end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) return reply.code(416).header('content-range', `bytes */${size}`).send();
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', end - start + 1);
      return reply.send(logs.read(req.params.id, req.params.step, { start, end }));
    }
    reply.header('content-length', size);
    return reply.send(logs.read(req.params.id, req.params.step, { start: 0, end: size - 1 }));
  });

  app.get(
    '/api/v2/builds/:id/steps/:step/log/live',
    { schema: { params, querystring: liveLogQuery, response: { 200: liveLogStream, ...errorResponses('validation_failed') } } },
    (req, reply) => {
      const { id, step } = req.params;
      let sent = req.query.from ?? 0;
      const stream = openSseStream(reply);
      const write = (e: LiveLogEvent) => stream.send(e.event, e.data);
      let busy = false;
      let again = false;
      let ended = false;
      const pump = async () => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            const row = deps.steps.state(id, step);
            const committed = row?.log_bytes ?? 0;
            while (sent < committed) {
              const end = Math.min(committed, sent + 256 * 1024) - 1;
              let text = '';
              for await (const chunk of logs.read(id, step, { start: sent, end })) text += (chunk as Buffer).toString('utf8');
              write({ event: 'log', data: { offset: sent, text } });
              sent = end + 1;
            }
            if (row?.state === 'finished' && !ended) {
              ended = true;
              write({ event: 'end', data: { bytes: sent } });
              stop();
            }
          } while (again && !ended);
        } finally {
          busy = false;
        }
      };
      const off = bus.on((e) => {
        if ((e.type === 'log' || e.type === 'step') && e.buildId === id && e.step === step) void pump();
      });
      const stop = () => {
        off();
        stream.end();
      };
      req.raw.on('close', off);
      void pump();
    },
  );
}
