import { z } from 'zod';

/** GET …/log: the committed bytes of a step's log (Range requests answer 206 with part of them). */
export const logText = (description: string) => ({ description, content: { 'text/plain': { schema: z.string() } } });

/** GET …/log/live: follow the log from a byte offset. */
export const liveLogQuery = z.object({ from: z.coerce.number().int().min(0).optional() });

/** The live log's events: `log` with the text from an offset, `end` once the step finished. */
export const liveLogEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('log'), data: z.object({ offset: z.number().int(), text: z.string() }) }),
  z.object({ event: z.literal('end'), data: z.object({ bytes: z.number().int() }) }),
]);
export type LiveLogEvent = z.infer<typeof liveLogEvent>;

export const liveLogStream = {
  description: 'Server-Sent Events: `event: log` with `{ offset, text }`, then `event: end` with `{ bytes }` once the step finished',
  content: { 'text/event-stream': { schema: z.string() } },
};

/** 416: the range starts past the log's end (no body: `null` is how a response without one is described). */
export const rangeNotSatisfiable = z.null().describe('the range is outside the log (no body; Content-Range: bytes */<size>)');
