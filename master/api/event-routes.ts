// GET /api/v2/events: one Server-Sent Events stream of what changes (builds, steps, log growth,
// workers, deliveries, the queue), so the UI updates live without polling.
import type { FastifyInstance } from 'fastify';
import type { EventBus, MasterEvent } from '../event-bus.js';
import { buildToApi } from './to-api.js';
import { openSseStream } from './sse-stream.js';
import { eventStream, type ApiEvent } from './schemas/events.js';

function toWire(e: MasterEvent): ApiEvent {
  return e.type === 'build' ? { type: 'build', build: buildToApi(e.build) } : e;
}

export async function eventRoutes(app: FastifyInstance, deps: { bus: EventBus; heartbeatMs?: number }): Promise<void> {
  app.get('/api/v2/events', { schema: { response: { 200: eventStream } } }, (req, reply) => {
    const stream = openSseStream(reply);
    stream.comment('connected');
    // Log growth is frequent: at most one event per step every 250 ms, and the last of a burst is
    // sent when its window ends, so a follower always learns the final size.
    const send = (e: MasterEvent) => stream.send(e.type, toWire(e));
    const lastLog = new Map<string, number>();
    const trailing = new Map<string, NodeJS.Timeout>();
    const off = deps.bus.on((e) => {
      if (e.type !== 'log') return send(e);
      const key = `${e.buildId}/${e.step}`;
      const wait = 250 - (Date.now() - (lastLog.get(key) ?? 0));
      if (wait <= 0) {
        lastLog.set(key, Date.now());
        return send(e);
      }
      clearTimeout(trailing.get(key));
      trailing.set(key, setTimeout(() => {
        trailing.delete(key);
        lastLog.set(key, Date.now());
        send(e);
      }, wait));
    });
    const heartbeat = setInterval(() => stream.comment('ping'), deps.heartbeatMs ?? 25_000);
    req.raw.on('close', () => {
      off();
      for (const t of trailing.values()) clearTimeout(t);
      clearInterval(heartbeat);
    });
  });
}
