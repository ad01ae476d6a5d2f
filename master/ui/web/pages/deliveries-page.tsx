// #/deliveries: recent webhooks and what came of each, and the smee forwarder's state.
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { plural } from '../lib/format';
import { href } from '../lib/router';
import { useLive } from '../lib/use-live';
import { usePageTitle } from '../lib/use-page-title';
import { DeliveryRow } from '../components/delivery-row';
import { ErrorNote } from '../components/error-note';
import { ForwarderPanel } from '../components/forwarder-panel';
import { Pager } from '../components/pager';

const PAGE = 50;

export function DeliveriesPage({ query }: { query: URLSearchParams }) {
  usePageTitle('Deliveries');
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const [newer, setNewer] = useState({ offset: -1, n: 0 });
  const live = useLive(`deliveries:${offset}`, (s) => api.deliveries({ limit: PAGE, offset }, s), (e) => {
    if (e.type !== 'delivery') return false;
    if (offset === 0) return true;
    setNewer((n) => ({ offset, n: n.offset === offset ? n.n + 1 : 1 }));
    return false;
  });
  const forwarder = useLive('forwarder', (s) => api.forwarder(s), (e) => e.type === 'delivery');
  const list = live.data;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Deliveries</h1>
        <p class="muted">Webhooks received, newest first{list ? ` (${list.meta.total.toLocaleString()} kept)` : ''}.</p>
      </div>
      <ForwarderPanel forwarder={forwarder.data} />
      {newer.offset === offset && newer.n > 0 ? (
        <p class="note" role="status">
          {plural(newer.n, 'newer delivery', 'newer deliveries')} arrived. <a href={href.deliveries()}>Show the newest</a>
        </p>
      ) : null}
      {live.error ? <ErrorNote error={live.error} retry={live.reload} /> : null}
      {list && list.deliveries.length === 0 ? <p class="empty-state">No webhook received yet.</p> : null}
      {list && list.deliveries.length > 0 ? (
        <div class="table-wrap">
          <table class="deliveries-table">
            <caption class="sr-only">Webhook deliveries</caption>
            <thead>
              <tr>
                <th scope="col" class="col-time">Received</th>
                <th scope="col">Event</th>
                <th scope="col" class="col-pr">PR</th>
                <th scope="col" class="col-sha wide-only">Commit</th>
                <th scope="col" class="col-status">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {list.deliveries.map((d) => <DeliveryRow key={d.id} delivery={d} />)}
            </tbody>
          </table>
        </div>
      ) : null}
      {list ? <Pager offset={offset} limit={PAGE} total={list.meta.total} hrefFor={(o) => href.deliveries({ offset: o || undefined })} label="Deliveries" /> : null}
      <p class="muted small footnote">
        Repeated deliveries (same delivery id) and deliveries with a missing or wrong signature are refused without being recorded; the master's log
        names them.
      </p>
    </>
  );
}
