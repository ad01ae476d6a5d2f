// Step logs: the raw file (streamed, with Range), and a live tail over SSE that follows a running
// step from any byte offset until it finishes.
import type { FastifyInstance } from 'fastify';
import type { StepStore } from '../store/step-store.js';
import type { LogStore } from '../logs/log-store.js';
import type { EventBus } from '../event-bus.js';

const params = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 }, step: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$' } },
  required: ['id', 'step'],
} as const;

export async function logRoutes(app: FastifyInstance, deps: { steps: StepStore; logs: LogStore; bus: EventBus }): Promise<void> {
  const { logs, bus } = deps;

  app.get<{ Params: { id: number; step: string } }>('/api/v2/builds/:id/steps/:step/log', { schema: { params } }, async (req, reply) => {
    const step = deps.steps.state(req.params.id, req.params.step);
    if (!step) return reply.code(404).send({ error: `no step ${req.params.step} in build ${req.params.id}` });
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

  app.get<{ Params: { id: number; step: string }; Querystring: { from?: number } }>(
    '/api/v2/builds/:id/steps/:step/log/live',
    { schema: { params, querystring: { type: 'object', properties: { from: { type: 'integer', minimum: 0 } } } } },
    (req, reply) => {
      const { id, step } = req.params;
      let sent = req.query.from ?? 0;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
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
              res.write(`event: log\ndata: ${JSON.stringify({ offset: sent, text })}\n\n`);
              sent = end + 1;
            }
            if (row?.state === 'finished' && !ended) {
              ended = true;
              res.write(`event: end\ndata: ${JSON.stringify({ bytes: sent })}\n\n`);
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
        res.end();
      };
      req.raw.on('close', off);
      void pump();
    },
  );
}
