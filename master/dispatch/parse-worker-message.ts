// Worker messages are external input: validated here before anything acts on them.
import { z } from 'zod';
import type { WorkerMessage } from '../../shared/protocol.js';

const result = z.enum(['success', 'failure', 'error', 'cancelled', 'skipped']);
const step = z.string().regex(/^[0-9]+(\.[0-9]+)*$/);
const seq = z.number().int().positive();
const buildId = z.number().int().positive();
const imageFamily = z.object({
  image: z.string(),
  current: z.string().optional(),
  versions: z.array(z.object({
    name: z.string(), state: z.enum(['candidate', 'current', 'previous', 'obsolete', 'failed']), builtAt: z.string(),
    verifiedAt: z.string().optional(), lastUsedAt: z.string().optional(), obsoleteAt: z.string().optional(), failure: z.string().optional(),
  })),
});
const imageUse = z.object({ image: z.string(), version: z.string().optional(), at: z.number() });
// Image reports are information for people: a malformed one is dropped, never the message carrying
// it (a refused hello would lock the worker out; a refused build.finished would stall its sequence).
const imageVersions = z.array(imageFamily).optional().catch(undefined);

const schema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'), protocol: z.number().int(), name: z.string(), instanceId: z.string().min(1).max(100),
    version: z.string(), arch: z.array(z.string()), slots: z.number().int().positive(), labels: z.array(z.string()),
    images: z.array(z.string()), running: z.array(buildId), imageVersions,
  }),
  z.object({ type: z.literal('images'), imageVersions: z.array(imageFamily).catch([]) }),
  z.object({ type: z.literal('step.started'), seq, buildId, step, name: z.string(), at: z.number() }),
  z.object({ type: z.literal('log'), seq, buildId, step, stream: z.enum(['stdout', 'stderr', 'header']), data: z.string() }),
  z.object({ type: z.literal('step.finished'), seq, buildId, step, result, exitCode: z.number().int().nullable(), durationMs: z.number(), reason: z.string().optional() }),
  z.object({
    type: z.literal('artifact'), seq, buildId, step, kind: z.enum(['junit', 'file']), path: z.string().min(1), content: z.string().optional(), mode: z.number().int().min(0).max(0o7777).optional(),
    upload: z.object({ id: z.string().regex(/^[0-9]+-[0-9a-f-]{36}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }).optional(),
  }),
  z.object({ type: z.literal('build.finished'), seq, buildId, result, reason: z.string().optional(), image: imageUse.optional().catch(undefined) }),
]).refine((m) => m.type !== 'artifact' || (m.content === undefined) !== (m.upload === undefined), { message: 'an artifact has either content or upload, not both' });

export function parseWorkerMessage(text: string): WorkerMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('worker message is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`bad worker message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as WorkerMessage;
}
