// A builder's last builds, oldest first, in a fixed number of slots: the row never changes size,
// and a new build fills the next empty slot without moving the others (until the strip is full).
import type { ApiBuild } from '../../../api/schemas';
import { BuildBadge } from './build-badge';

export const STRIP_SLOTS = 15;

export function BadgeStrip({ builds, name }: { builds: ApiBuild[]; name: string }) {
  const shown = builds.slice(0, STRIP_SLOTS).reverse();
  const empty = STRIP_SLOTS - shown.length;
  return (
    <div class="strip" role="list" aria-label={`Last builds of ${name}, oldest first`}>
      {shown.map((b) => (
        <span role="listitem" key={b.id} class="slot">
          <BuildBadge build={b} />
        </span>
      ))}
      {Array.from({ length: empty }, (_, i) => (
        <span key={`empty-${i}`} class="slot" aria-hidden="true">
          <span class="badge empty" />
        </span>
      ))}
    </div>
  );
}
