// #/queue: requests not running yet, oldest first, each with why it waits.
import { api } from '../lib/api';
import { href } from '../lib/router';
import { useLive } from '../lib/use-live';
import { usePageTitle } from '../lib/use-page-title';
import { ErrorNote } from '../components/error-note';
import { Pager } from '../components/pager';
import { QueueRow } from '../components/queue-row';

const PAGE = 50;

export function QueuePage({ query }: { query: URLSearchParams }) {
  usePageTitle('Queue');
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const live = useLive(`queue:${offset}`, (s) => api.queue({ limit: PAGE, offset }, s), (e) => e.type === 'build' || e.type === 'queue' || e.type === 'worker');
  const list = live.data;
  const awaiting = list?.buildrequests.filter((r) => r.state === 'awaiting-approval').length ?? 0;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Queue</h1>
        <p class="muted" aria-live="polite">
          {list ? `${list.meta.total.toLocaleString()} waiting${awaiting ? `, ${awaiting} of them for approval` : ''}; oldest first` : 'Loading…'}
        </p>
      </div>
      {live.error ? <ErrorNote error={live.error} retry={live.reload} /> : null}
      {list && list.meta.total === 0 ? <p class="empty-state">Nothing waits: every request is running or done.</p> : null}
      {list && list.buildrequests.length > 0 ? (
        <ol class="queue" start={offset + 1}>
          {list.buildrequests.map((r) => <QueueRow key={r.id} entry={r} />)}
        </ol>
      ) : null}
      {list ? (
        <Pager offset={offset} limit={PAGE} total={list.meta.total} hrefFor={(o) => `${href.queue()}${o ? `?offset=${o}` : ''}`} label="Queue" prevText="← Earlier" nextText="Later →" />
      ) : null}
    </>
  );
}
