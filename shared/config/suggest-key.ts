// "Did you mean" for unknown config keys: the keys the schema allows at that place, and the one
// closest to the misspelling. The schema is walked along the path, through the wrappers
// zod puts around objects (defaults, optionals, effects, unions, arrays).
import { z } from 'zod';

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny[] {
  if (schema instanceof z.ZodDefault) return unwrap(schema._def.innerType);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return unwrap(schema.unwrap());
  if (schema instanceof z.ZodEffects) return unwrap(schema.innerType());
  if (schema instanceof z.ZodLazy) return unwrap(schema.schema);
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) return (schema.options as z.ZodTypeAny[]).flatMap(unwrap);
  return [schema];
}

/** The object keys the schema allows at `path` (all branches of a union together). */
export function keysAt(schema: z.ZodTypeAny, path: ReadonlyArray<string | number>): string[] {
  let here = unwrap(schema);
  for (const part of path) {
    here = here.flatMap((s) => {
      if (typeof part === 'number' && s instanceof z.ZodArray) return unwrap(s.element);
      if (typeof part === 'string' && s instanceof z.ZodObject) {
        const child = (s.shape as Record<string, z.ZodTypeAny>)[part];
        return child ? unwrap(child) : [];
      }
      if (typeof part === 'string' && s instanceof z.ZodRecord) return unwrap(s.element);
      return [];
    });
  }
  return [...new Set(here.flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape as object) : [])))];
}

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The allowed key closest to `key`, if it is close enough to be a typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || d < best.d) best = { key: candidate, d };
  }
  return best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined;
}
