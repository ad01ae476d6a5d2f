// Worker → master messages: their schemas, the types inferred from them, and the master's parse.
// Unknown fields are dropped (a newer worker may add some); an unknown message type is refused.
import { z } from 'zod';
import { buildIdSchema, describeIssues, logStreamSchema, resultSchema, seqSchema, stepIdSchema } from './fields.js';

/** One image of a worker and its versions (vm-image lifecycle: candidate → current → previous → obsolete). */
export const imageFamilyReportSchema = z.object({
  image: z.string(),
  /** The version builds boot now (the manifest's name for an image without versions). */
  current: z.string().optional(),
  versions: z.array(
    z.object({
      name: z.string(),
      state: z.enum(['candidate', 'current', 'previous', 'obsolete', 'failed']),
      builtAt: z.string(),
      verifiedAt: z.string().optional(),
      lastUsedAt: z.string().optional(),
      obsoleteAt: z.string().optional(),
      failure: z.string().optional(),
    }),
  ),
});
export type ImageFamilyReport = z.output<typeof imageFamilyReportSchema>;

/** Which image version a build booted, and when (ms); how its VM was had and how long that took (newer workers). */
export const imageUseSchema = z.object({
  image: z.string(),
  version: z.string().optional(),
  at: z.number(),
  /** cold boot, a warm pool VM, or a restored memory snapshot. */
  start: z.enum(['boot', 'pool', 'restore']).optional(),
  /** From asking for the VM to a guest that answers SSH (0 for a pool VM). */
  startMs: z.number().nonnegative().optional(),
});
export type ImageUse = z.output<typeof imageUseSchema>;

// Image reports are information for people: a malformed one is dropped, never the message carrying
// it (a refused hello would lock the worker out; a refused build.finished would stall its sequence).

export const helloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  name: z.string(),
  /** Random per worker process: a new one means a restart, and lost builds. */
  instanceId: z.string().min(1).max(100),
  version: z.string(),
  arch: z.array(z.string()),
  slots: z.number().int().positive(),
  labels: z.array(z.string()),
  images: z.array(z.string()),
  /** Builds still running here (after a reconnect). */
  running: z.array(buildIdSchema),
  /** The versions of each image family here (optional: older workers do not send it). */
  imageVersions: z.array(imageFamilyReportSchema).optional().catch(undefined),
});
export type Hello = z.output<typeof helloSchema>;

/** Not sequenced: a fresh snapshot of the worker's images, sent when they change (a switch, a prune), only to a master whose welcome lists the `images` feature; the next hello carries it too. */
export const imagesReportSchema = z.object({
  type: z.literal('images'),
  imageVersions: z.array(imageFamilyReportSchema).catch([]),
});
export type ImagesReport = z.output<typeof imagesReportSchema>;

// Every message after hello carries `seq` (see the lifecycle in shared/protocol.ts, point 4) and the build it is about.
const sequenced = { seq: seqSchema, buildId: buildIdSchema };
const aboutStep = { ...sequenced, step: stepIdSchema };

export const stepStartedSchema = z.object({
  type: z.literal('step.started'),
  ...aboutStep,
  name: z.string(),
  at: z.number(),
});
export type StepStarted = z.output<typeof stepStartedSchema>;

export const logChunkSchema = z.object({
  type: z.literal('log'),
  ...aboutStep,
  stream: logStreamSchema,
  /** Whole lines (the last may lack its newline when a step ends or a chunk is full), masked. */
  data: z.string(),
});
export type LogChunk = z.output<typeof logChunkSchema>;

export const stepFinishedSchema = z.object({
  type: z.literal('step.finished'),
  ...aboutStep,
  result: resultSchema,
  exitCode: z.number().int().nullable(),
  durationMs: z.number(),
  /** Why, when not plain success/failure: "timed out after 5m", "cancelled". */
  reason: z.string().optional(),
});
export type StepFinished = z.output<typeof stepFinishedSchema>;

/** What the master answers to an upload, and what the artifact message then names. */
export const uploadedFileSchema = z.object({
  /** The master's name for the upload: "<build id>-<uuid>". */
  id: z.string().regex(/^[0-9]+-[0-9a-f-]{36}$/),
  /** Hex sha256 of the bytes, as the master computed it (the worker checks it against its own). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type UploadedFile = z.output<typeof uploadedFileSchema>;

export const artifactSchema = z.object({
  type: z.literal('artifact'),
  ...aboutStep,
  kind: z.enum(['junit', 'file']),
  /** Path relative to the work directory. */
  path: z.string().min(1),
  /** base64, for small files (JUnit XML, any file when the master takes no uploads). */
  content: z.string().optional(),
  /** A file streamed to WORKER_UPLOADS_PATH before this message (exactly one of content and upload). */
  upload: uploadedFileSchema.optional(),
  /** Permission bits (0o755 for an executable); absent from older workers. */
  mode: z.number().int().min(0).max(0o7777).optional(),
});
export type Artifact = z.output<typeof artifactSchema>;

export const buildFinishedSchema = z.object({
  type: z.literal('build.finished'),
  ...sequenced,
  result: resultSchema,
  reason: z.string().optional(),
  /** The image version the build booted (vm builds; absent from older workers). */
  image: imageUseSchema.optional().catch(undefined),
});
export type BuildFinished = z.output<typeof buildFinishedSchema>;

export type SequencedMessage = StepStarted | LogChunk | StepFinished | Artifact | BuildFinished;

export const workerMessageSchema = z
  .discriminatedUnion('type', [helloSchema, imagesReportSchema, stepStartedSchema, logChunkSchema, stepFinishedSchema, artifactSchema, buildFinishedSchema])
  .refine((m) => m.type !== 'artifact' || (m.content === undefined) !== (m.upload === undefined), { message: 'an artifact has either content or upload, not both' });
export type WorkerMessage = z.output<typeof workerMessageSchema>;

/** The master's reading of a worker's message: throws (with what is wrong) for anything it must not act on. */
export function parseWorkerMessage(text: string): WorkerMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('worker message is not JSON');
  }
  const parsed = workerMessageSchema.safeParse(json);
  if (!parsed.success) throw new Error(`bad worker message: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
