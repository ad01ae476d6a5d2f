// The worker's HTTP endpoints beside its WebSocket (/api/worker…): artifact downloads and uploads.
// They answer workers, not the REST API's clients: errors are a plain `{ error }` without a code.
// (The WebSocket itself is shared/protocol.ts; @fastify/websocket keeps it out of OpenAPI.)
import { z } from 'zod';
import { positiveId } from './common.js';

export const workerErrorBody = z.object({ error: z.string() });

export const downloadParams = z.object({ id: positiveId });
export const downloadContent = { description: "the artifact's bytes", content: { 'application/octet-stream': { schema: z.string() } } };

export const uploadQuery = z.object({ build: positiveId });
/** What the master answers to an upload, and what the artifact message then names. */
export const uploadedFile = z.object({
  /** The master's name for the upload. */
  id: z.string(),
  /** Hex sha256 of the bytes, as the master computed it. */
  sha256: z.string(),
  size: z.number().int(),
});

/** Route schema `response` entries for these error statuses. */
export function workerErrors(...statuses: number[]): Record<number, typeof workerErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, workerErrorBody]));
}
