// #/workers: configured and known workers, their slots, their builds, when they were last seen.
import { api } from '../lib/api';
import { useLive } from '../lib/use-live';
import { usePageTitle } from '../lib/use-page-title';
import { ErrorNote } from '../components/error-note';
import { WorkerRow } from '../components/worker-row';

export function WorkersPage() {
  usePageTitle('Workers');
  const live = useLive('workers', (s) => api.workers(s), (e) => e.type === 'worker' || e.type === 'build');
  const workers = live.data?.workers;
  const connected = workers?.filter((w) => w.connected).length ?? 0;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Workers</h1>
        <p class="muted">{workers ? `${connected} of ${workers.length} connected` : 'Loading…'}</p>
      </div>
      {live.error ? <ErrorNote error={live.error} retry={live.reload} /> : null}
      {workers && workers.length === 0 ? <p class="empty-state">No worker is configured (the config's <code>workers</code> list is empty).</p> : null}
      {workers && workers.length > 0 ? (
        <div class="table-wrap">
          <table class="workers-table">
            <caption class="sr-only">Workers</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Slots in use</th>
                <th scope="col">Running</th>
                <th scope="col" class="wide-only">Offers</th>
                <th scope="col" class="wide-only">Version</th>
                <th scope="col">Connected / last seen</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => <WorkerRow key={w.name} worker={w} />)}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
