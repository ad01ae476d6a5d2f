// What the master hands a worker to run (build.start): the build and its steps.
import { z } from 'zod';
import { buildIdSchema, stepIdSchema } from './fields.js';

export const uploadFileSchema = z.object({
  path: z.string(),
  /** base64 */
  content: z.string(),
  mode: z.number().int(),
});
export type UploadFile = z.output<typeof uploadFileSchema>;

/** What a step's `download` resolved to when the build was dispatched. */
export const artifactDownloadSchema = z.object({
  /** The builder named in the config. */
  from: z.string(),
  /** Its build whose artifacts these are; null when it has no successful build of this commit. */
  buildId: z.number().int().nullable(),
  /** Fetched by the worker from the master: GET /api/worker/artifacts/<id>, with its own credentials. */
  files: z.array(z.object({ id: z.number().int(), path: z.string(), size: z.number(), mode: z.number().int().optional() })),
});
export type ArtifactDownload = z.output<typeof artifactDownloadSchema>;

/** A step as the worker runs it. Durations are milliseconds. */
export const stepSpecSchema = z.object({
  id: stepIdSchema,
  name: z.string(),
  run: z.string().optional(),
  /** Files to place in the work directory before `run`: path relative to it, and content. */
  upload: z.array(uploadFileSchema).optional(),
  env: z.record(z.string(), z.string()),
  timeoutMs: z.number().optional(),
  haltOnFailure: z.boolean(),
  always: z.boolean(),
  junit: z.array(z.string()),
  artifacts: z.array(z.string()),
  get parallel(): z.ZodOptional<z.ZodArray<typeof stepSpecSchema>> {
    return z.array(stepSpecSchema).optional();
  },
  maxParallel: z.number().int().optional(),
  /** Another build's artifacts to place in the work directory before `run`. */
  download: artifactDownloadSchema.optional(),
});
export type StepSpec = z.output<typeof stepSpecSchema>;

export const vmSpecSchema = z.object({
  image: z.string(),
  memoryMiB: z.number().int(),
  cpus: z.number().int(),
  network: z.boolean(),
});
export type VmSpec = z.output<typeof vmSpecSchema>;

export const sourceSpecSchema = z.object({
  /** Where the worker fetches from (a git URL or path); never carries a token. */
  cloneUrl: z.string(),
  /** The ref to fetch (refs/pull/N/head, refs/heads/main…) and the commit expected at it. */
  ref: z.string(),
  sha: z.string(),
  /** When testing the merge result: the base ref to merge the head into. */
  mergeBase: z.string().optional(),
});
export type SourceSpec = z.output<typeof sourceSpecSchema>;

export const buildSpecSchema = z.object({
  buildId: buildIdSchema,
  builder: z.string(),
  number: z.number().int(),
  executor: z.enum(['vm', 'host']),
  vm: vmSpecSchema.optional(),
  repo: z.string(),
  pr: z.number().int().nullable(),
  sha: z.string(),
  /** No source when the builder does not need one (e.g. rebuild of a tag-less push); else fetched. */
  source: sourceSpecSchema.optional(),
  timeoutMs: z.number().positive(),
  /** GATEHOUSE_* variables and the builder's env (secrets included). */
  env: z.record(z.string(), z.string()),
  /** Values to mask in every log line before it leaves the worker. */
  secrets: z.array(z.string()),
  steps: z.array(stepSpecSchema),
});
export type BuildSpec = z.output<typeof buildSpecSchema>;
