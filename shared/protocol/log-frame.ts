// A log chunk on the wire as a binary WebSocket frame: the step's bytes as they are, not text inside
// JSON (a 50 MB log cost the master as much turning strings back into bytes as storing them). Sent
// only to a master whose `welcome.features` lists LOG_FRAMES_FEATURE; otherwise as a JSON `log`.
// Layout: the length of a JSON header (uint32, big-endian), the header (the `log` message without
// its `data`, checked by the same schema), then the chunk's bytes.
import type { z } from 'zod';
import { describeIssues } from './fields.js';
import { logChunkSchema, type LogChunk, parseWorkerMessage, type SequencedMessage, type WorkerMessage } from './worker-messages.js';

export const LOG_FRAMES_FEATURE = 'log-frames';

const headerSchema = logChunkSchema.omit({ data: true });
type LogFrameHeader = z.output<typeof headerSchema>;

/** A log chunk with its bytes (masked, like LogChunk.data). */
export type LogFrame = LogFrameHeader & { data: Buffer };

/** A sequenced message as the worker's outbox keeps it and the master applies it: a log chunk as bytes. */
export type SequencedRecord = Exclude<SequencedMessage, LogChunk> | LogFrame;

/** `allocate` gives the frame's memory (the worker reuses frames the master has acked). */
export function encodeLogFrame(chunk: LogFrame, allocate: (bytes: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const { data, ...header } = chunk;
  const json = Buffer.from(JSON.stringify(header satisfies LogFrameHeader));
  const frame = allocate(4 + json.length + data.length);
  frame.writeUInt32BE(json.length, 0);
  json.copy(frame, 4);
  data.copy(frame, 4 + json.length);
  return frame;
}

/** The master's reading of a binary frame: throws (with what is wrong) for anything it must not act on. */
export function decodeLogFrame(frame: Buffer): LogFrame {
  const headerEnd = frame.length >= 4 ? 4 + frame.readUInt32BE(0) : Infinity;
  if (headerEnd > frame.length) throw new Error('bad log frame: shorter than its header');
  let json: unknown;
  try {
    json = JSON.parse(frame.toString('utf8', 4, headerEnd));
  } catch {
    throw new Error('bad log frame: its header is not JSON');
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw new Error(`bad log frame: ${describeIssues(parsed.error)}`);
  return { ...parsed.data, data: frame.subarray(headerEnd) };
}

/** The same chunk as a JSON `log` message, for a master that takes no log frames. */
export function logFrameAsJson(frame: Buffer): string {
  const chunk = decodeLogFrame(frame);
  return JSON.stringify({ ...chunk, data: chunk.data.toString('utf8') } satisfies LogChunk);
}

/** The master's reading of any message from a worker, a binary frame or JSON; a `log` as bytes either way (an older worker sends JSON). */
export function parseWorkerWire(raw: Buffer, isBinary: boolean): Exclude<WorkerMessage, LogChunk> | LogFrame {
  if (isBinary) return decodeLogFrame(raw);
  const message = parseWorkerMessage(raw.toString('utf8'));
  return message.type === 'log' ? { ...message, data: Buffer.from(message.data, 'utf8') } : message;
}
