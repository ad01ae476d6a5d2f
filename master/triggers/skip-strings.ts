// Skip strings ("[CI:DOCS]", "[skip ci]") in a PR's title or head commit message: a builder's own
// (`triggers.skipTitle`), changed or added to by its repository's (`github.repos[].skip`). Each says
// what it means: skip the builder, or run only its docs steps.
import type { ServedRepo, SkipString } from '../../shared/config/schema.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The skip strings that apply to this builder on this repository. */
export function skipStringsFor(builder: { triggers: { skipTitle: readonly SkipString[] } }, repo: Pick<ServedRepo, 'skip'>): SkipString[] {
  const own = builder.triggers.skipTitle.filter((s) => !repo.skip.some((r) => same(r.match, s.match)));
  return [...own, ...repo.skip];
}

/** The first skip string the text contains (case-insensitive), if any. */
export function findSkipString(strings: readonly SkipString[], text: string | null): SkipString | undefined {
  if (!text) return undefined;
  const lower = text.toLowerCase();
  return strings.find((s) => lower.includes(s.match.toLowerCase()));
}
