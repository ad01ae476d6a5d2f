// #/builders: every configured builder, its state now, its last 15 builds and its workers.
import { api } from '../lib/api';
import { useLive } from '../lib/use-live';
import { usePageTitle } from '../lib/use-page-title';
import { plural } from '../lib/format';
import { BuilderRow } from '../components/builder-row';
import { ErrorNote } from '../components/error-note';

export function BuildersPage() {
  usePageTitle('Builders');
  const live = useLive('builders', (signal) => api.builderSummaries(signal), (e) => e.type === 'build' || e.type === 'worker' || e.type === 'queue');
  const builders = live.data?.builders;
  const running = builders?.reduce((n, b) => n + b.running, 0) ?? 0;
  const waiting = builders?.reduce((n, b) => n + b.queued + b.awaiting_approval, 0) ?? 0;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Builders</h1>
        <p class="muted" aria-live="polite">
          {builders ? `${plural(builders.length, 'builder')} · ${running} running · ${waiting} waiting` : 'Loading…'}
        </p>
      </div>
      {live.error ? <ErrorNote error={live.error} retry={live.reload} /> : null}
      <ul class="builders" aria-busy={live.loading && !builders}>
        {builders?.map((b) => <BuilderRow key={b.name} builder={b} />)}
      </ul>
    </>
  );
}
