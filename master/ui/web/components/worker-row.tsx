// One worker: connected or not, slots in use, what it runs now, what it offers, when last seen.
import type { ApiWorker } from '../../../api/schemas';
import { href } from '../lib/router';
import { ImageVersions } from './image-versions';
import { RelTime } from './rel-time';

export function WorkerRow({ worker: w }: { worker: ApiWorker }) {
  const used = w.running_builds.length;
  const slots = w.slots ?? 0;
  const state = w.connected ? 'connected' : w.last_seen === null ? 'never connected' : 'offline';
  return (
    <tr data-worker={w.name} data-connected={w.connected}>
      <th scope="row">
        <span class={`conn ${w.connected ? 'on' : 'off'}`}>
          <span class="dot" aria-hidden="true" />
          {w.name}
        </span>
        <span class="muted small block">
          {state}
          {w.configured ? '' : ' · not in the config'}
        </span>
      </th>
      <td>
        <span class="num">
          {used} / {slots || '?'}
        </span>
        <meter class="slots" min={0} max={Math.max(1, slots)} value={used} aria-label={`${used} of ${slots} slots in use`} />
      </td>
      <td>
        {w.running_builds.length === 0 ? (
          <span class="muted">idle</span>
        ) : (
          <ul class="inline-list">
            {w.running_builds.map((id) => (
              <li key={id}>
                <a href={href.build(id)}>build {id}</a>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td class="wide-only small">
        {w.arch.length ? w.arch.join(', ') : <span class="muted">—</span>}
        {w.labels.length ? <span class="block muted">labels: {w.labels.join(', ')}</span> : null}
        {w.image_versions.length ? <ImageVersions families={w.image_versions} /> : w.images.length ? <span class="block muted">images: {w.images.join(', ')}</span> : null}
      </td>
      <td class="wide-only small">{w.version ?? <span class="muted">—</span>}</td>
      <td>{w.connected ? <RelTime at={w.connected_since} /> : <RelTime at={w.last_seen} />}</td>
    </tr>
  );
}
