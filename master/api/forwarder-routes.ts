// GET /api/v2/forwarder: the smee forwarder's state (connected, last event, reconnects), or
// `{ enabled: false }` when webhooks arrive directly.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SmeeForwarder } from '../smee/smee-forwarder.js';
import { errorResponses } from './errors.js';
import { apiForwarder } from './schemas/forwarder.js';

/** Filled in after listen(): the forwarder needs the master's own port. */
export interface ForwarderSlot {
  current?: SmeeForwarder;
}

export async function forwarderRoutes(app: FastifyInstance, deps: { slot: ForwarderSlot }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v2/forwarder', { schema: { response: { 200: apiForwarder, ...errorResponses() } } }, async () => {
    const f = deps.slot.current;
    return f ? { enabled: true as const, ...f.state() } : { enabled: false as const };
  });
}
