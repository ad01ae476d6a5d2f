import { z } from 'zod';

export const apiForwarderState = z.object({
  /** The stream is open right now. */
  connected: z.boolean(),
  /** The channel URL. */
  url: z.string(),
  target: z.string(),
  /** ISO time of the last delivery received from the channel, or null. */
  lastEventAt: z.string().nullable(),
  /** Deliveries received from the channel (each is posted to the target once). */
  events: z.number().int(),
  /** Times the stream was opened again after a drop. */
  reconnects: z.number().int(),
  /** Why the connection failed or dropped, while it is down; null once connected again. */
  lastError: z.string().nullable(),
  /** Deliveries the master took (2xx). */
  forwarded: z.number().int(),
  /** Deliveries the master answered 4xx (401: the relay altered the body, or a wrong secret). */
  refused: z.number().int(),
  /** Deliveries that could not be passed on (5xx, or the master unreachable). */
  failed: z.number().int(),
  /** The last refused or failed delivery: when, the master's HTTP answer (null when there was none) and what was said. */
  lastFailure: z.object({ at: z.string(), status: z.number().int().nullable(), error: z.string() }).nullable(),
});
export type ApiForwarderState = z.infer<typeof apiForwarderState>;

/** GET /api/v2/forwarder: the smee forwarder's state, or `{ enabled: false }` without one. */
export const apiForwarder = z.discriminatedUnion('enabled', [
  z.object({ enabled: z.literal(false) }),
  apiForwarderState.extend({ enabled: z.literal(true) }),
]);
export type ApiForwarder = z.infer<typeof apiForwarder>;
