// A worker's images over time: per image its current version with when it was built and verified,
// then the other versions (candidate, previous, failed, obsolete) with their dates.
import type { ApiImageFamily } from '../../../api/schemas';

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '—');

export function ImageVersions({ families }: { families: ApiImageFamily[] }) {
  return (
    <ul class="image-versions">
      {families.map((f) => {
        const current = f.versions.find((v) => v.name === f.current);
        const others = f.versions.filter((v) => v.name !== f.current);
        return (
          <li key={f.image} data-image={f.image}>
            <span class="block">
              image <strong>{f.image}</strong>: <span data-current>{f.current ?? <span class="muted">no current version</span>}</span>
            </span>
            {current ? (
              <span class="block muted">
                built {day(current.builtAt)}, verified {day(current.verifiedAt)}
                {current.lastUsedAt ? `, last used ${day(current.lastUsedAt)}` : ''}
              </span>
            ) : null}
            {others.length ? (
              <ul class="inline-list muted">
                {others.map((v) => (
                  <li key={v.name} data-version={v.name} data-state={v.state} title={v.failure ?? undefined}>
                    {v.name} ({v.state}
                    {v.state === 'obsolete' ? ` since ${day(v.obsoleteAt)}` : v.lastUsedAt ? `, last used ${day(v.lastUsedAt)}` : `, built ${day(v.builtAt)}`})
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
