import { z } from 'zod';
import { apiBuild } from './builds.js';

/** The events of GET /api/v2/events (SSE: `event: <type>`, `data: <json>`). */
export const apiEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('build'), build: apiBuild }),
  z.object({ type: z.literal('cancel-requested'), buildId: z.number().int(), reason: z.string() }),
  z.object({ type: z.literal('step'), buildId: z.number().int(), step: z.string() }),
  z.object({ type: z.literal('log'), buildId: z.number().int(), step: z.string(), bytes: z.number().int() }),
  z.object({ type: z.literal('worker'), name: z.string() }),
  z.object({ type: z.literal('delivery'), id: z.string() }),
  z.object({ type: z.literal('queue') }),
]);
export type ApiEvent = z.infer<typeof apiEvent>;
export type ApiEventType = ApiEvent['type'];

export const eventStream = {
  description: 'Server-Sent Events: `event: <type>` and `data: <json>` per event (see ApiEvent), `: ping` comments meanwhile',
  content: { 'text/event-stream': { schema: z.string() } },
};
