// "Did you mean" for unknown config keys: the keys the schema allows at that place, and the one
// closest to the misspelling. The schema is walked along the path, through the wrappers
// zod puts around objects (defaults, optionals, effects, unions, arrays).
import type { z } from 'zod';

type Schema = z.core.$ZodType;

/** The schemas a value at this place is checked by, seen through defaults, optionals, pipes, lazies and unions. */
function unwrap(schema: Schema): Schema[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'default': case 'prefault': case 'optional': case 'nullable': case 'readonly': case 'catch':
      return unwrap(def.innerType as Schema);
    case 'pipe':
      return unwrap(def.in as Schema);
    case 'lazy':
      return unwrap((def.getter as () => Schema)());
    case 'union':
      return (def.options as Schema[]).flatMap(unwrap);
    default:
      return [schema];
  }
}

const shapeOf = (s: Schema): Record<string, Schema> | undefined => (s._zod.def.type === 'object' ? (s._zod.def as z.core.$ZodObjectDef).shape : undefined);

/** The object keys the schema allows at `path` (all branches of a union together). */
export function keysAt(schema: Schema, path: ReadonlyArray<PropertyKey>): string[] {
  let here = unwrap(schema);
  for (const part of path) {
    here = here.flatMap((s) => {
      const def = s._zod.def;
      if (typeof part === 'number' && def.type === 'array') return unwrap((def as z.core.$ZodArrayDef).element);
      if (typeof part === 'string' && def.type === 'record') return unwrap((def as z.core.$ZodRecordDef).valueType);
      const child = typeof part === 'string' ? shapeOf(s)?.[part] : undefined;
      return child ? unwrap(child) : [];
    });
  }
  return [...new Set(here.flatMap((s) => Object.keys(shapeOf(s) ?? {})))];
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
