import type { ApiBuilderSummary } from '../../../api/schemas';

/** Which workers can run a builder, and whether they are connected now. */
export function BuilderWorkers({ builder: b }: { builder: ApiBuilderSummary }) {
  if (b.workers.length === 0) {
    const needs = [b.arch && `arch ${b.arch}`, b.image && `image ${b.image}`, b.labels.length > 0 && `labels ${b.labels.join(', ')}`].filter(Boolean);
    return <span class="warn small">No known worker can run it{needs.length ? ` (needs ${needs.join(', ')})` : ''}</span>;
  }
  return (
    <ul class="worker-chips" aria-label={`Workers that can run ${b.name}`}>
      {b.workers.map((w) => (
        <li key={w.name} class={w.connected ? 'on' : 'off'} title={w.connected ? 'connected' : 'not connected'}>
          <span class="dot" aria-hidden="true" />
          {w.name}
          <span class="sr-only">{w.connected ? ' (connected)' : ' (not connected)'}</span>
        </li>
      ))}
    </ul>
  );
}
