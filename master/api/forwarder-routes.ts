// GET /api/v2/forwarder: the smee forwarder's state (connected, last event, reconnects), or
// `{ enabled: false }` when webhooks arrive directly.
import type { FastifyInstance } from 'fastify';
import type { SmeeForwarder } from '../smee/smee-forwarder.js';

/** Filled in after listen(): the forwarder needs the master's own port. */
export interface ForwarderSlot {
  current?: SmeeForwarder;
}

export async function forwarderRoutes(app: FastifyInstance, deps: { slot: ForwarderSlot }): Promise<void> {
  app.get('/api/v2/forwarder', async () => {
    const f = deps.slot.current;
    return f ? { enabled: true, ...f.state() } : { enabled: false };
  });
}
