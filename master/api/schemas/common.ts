// Pieces every resource's schemas share: Buildbot's list shape, ids in paths, list queries.
// Schemas here and beside it are the API's one description: routes validate and serialize with
// them, OpenAPI is generated from them, and the web UI takes their types (type-only imports).
import { z } from 'zod';

/** Times are milliseconds since the epoch. */
export const time = z.number().int();
export const nullableTime = time.nullable();

/** Buildbot's list shape: `{ "<plural>": [...], "meta": { "total": N } }`. */
export function listOf<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ [key]: z.array(item), meta: z.object({ total: z.number().int() }) } as { [k in K]: z.ZodArray<T> } & { meta: z.ZodObject<{ total: z.ZodNumber }> });
}
export type ApiList<K extends string, T> = { [key in K]: T[] } & { meta: { total: number } };

/** Query strings and paths arrive as text: numbers are read from it. */
export const positiveId = z.coerce.number().int().min(1);
export const idParams = z.object({ id: positiveId });

/** limit, offset and order (`order=-id` for newest first) of the generic list routes. */
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  order: z.string().regex(/^-?[a-z_]+$/).optional(),
});

/** A list query with exact-match filters on these parameters (`null` matches a missing value). */
export function listQueryWith<const K extends string>(...filters: K[]) {
  return listQuery.extend(Object.fromEntries(filters.map((f) => [f, z.string().optional()])) as { [k in K]: z.ZodOptional<z.ZodString> });
}
