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
  /** Why the last connection failed or dropped, or null. */
  lastError: z.string().nullable(),
});
export type ApiForwarderState = z.infer<typeof apiForwarderState>;

/** GET /api/v2/forwarder: the smee forwarder's state, or `{ enabled: false }` without one. */
export const apiForwarder = z.discriminatedUnion('enabled', [
  z.object({ enabled: z.literal(false) }),
  apiForwarderState.extend({ enabled: z.literal(true) }),
]);
export type ApiForwarder = z.infer<typeof apiForwarder>;
