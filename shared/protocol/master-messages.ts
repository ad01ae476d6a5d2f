// Master → worker messages: their schemas, the types inferred from them, and the worker's parse.
// Unknown fields are dropped and an unknown message type is ignored, so a newer master can add
// either without breaking an older worker.
import { z } from 'zod';
import { buildSpecSchema } from './build-spec.js';
import { buildIdSchema, describeIssues } from './fields.js';

export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int(),
  /** The last seq of this worker instance the master has stored (0 for none). */
  ackedSeq: z.number().int(),
  /** Builds the master no longer wants (cancelled or ended while the worker was away). */
  cancel: z.array(z.number().int()).default([]),
  /** Optional messages this master understands (`images`); a worker sends none the master did not list. Entries it cannot read are left out. */
  features: z
    .array(z.unknown())
    .transform((features) => features.filter((f): f is string => typeof f === 'string'))
    .optional()
    .catch(undefined),
});
export type Welcome = z.output<typeof welcomeSchema>;

export const refusedSchema = z.object({ type: z.literal('refused'), reason: z.string() });
export type Refused = z.output<typeof refusedSchema>;

export const buildStartSchema = z.object({ type: z.literal('build.start'), build: buildSpecSchema });
export type BuildStart = z.output<typeof buildStartSchema>;

export const buildCancelSchema = z.object({
  type: z.literal('build.cancel'),
  buildId: z.number().int(),
  /** Shown with the cancelled build; empty when the master gave none. */
  reason: z.string().catch(''),
});
export type BuildCancel = z.output<typeof buildCancelSchema>;

export const ackSchema = z.object({ type: z.literal('ack'), seq: z.number().int() });
export type Ack = z.output<typeof ackSchema>;

export const masterMessageSchema = z.discriminatedUnion('type', [welcomeSchema, refusedSchema, buildStartSchema, buildCancelSchema, ackSchema]);
export type MasterMessage = z.output<typeof masterMessageSchema>;

const masterMessageTypes: ReadonlySet<string> = new Set(masterMessageSchema.options.map((o) => o.shape.type.value));

/** The worker's reading of a master's message: undefined for a type it does not know, throws (with what is wrong) for a malformed one. */
export function parseMasterMessage(text: string): MasterMessage | undefined {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('type' in value) || typeof value.type !== 'string') {
    throw new Error('expected an object with a "type"');
  }
  if (!masterMessageTypes.has(value.type)) return undefined;
  const parsed = masterMessageSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${value.type}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
