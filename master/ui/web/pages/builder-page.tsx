// #/builders/:name: the builder's history, newest first, paged, filtered by status, repository and PR.
import { useState } from 'preact/hooks';
import type { ApiBuild } from '../../../api/schemas';
import { api, type BuildQuery } from '../lib/api';
import type { LiveEvent } from '../lib/events';
import { plural } from '../lib/format';
import { href } from '../lib/router';
import { useLive } from '../lib/use-live';
import { usePageTitle } from '../lib/use-page-title';
import { BuilderState } from '../components/builder-state';
import { BuilderWorkers } from '../components/builder-workers';
import { BuildsTable } from '../components/builds-table';
import { ErrorNote } from '../components/error-note';
import { HistoryFilters, STATUSES, type HistoryFilter } from '../components/history-filters';
import { Pager } from '../components/pager';
import { ForceForm } from '../components/force-form';
import { RelTime } from '../components/rel-time';

const PAGE = 25;

function toQuery(name: string, f: HistoryFilter, offset: number): BuildQuery {
  const isState = f.status === 'running' || f.status === 'queued';
  const pr = /^\d+$/.test(f.pr) ? Number(f.pr) : undefined;
  return { builder: name, state: isState ? f.status : undefined, result: isState ? undefined : f.status || undefined, pr, repo: f.repo || undefined, limit: PAGE, offset };
}

export function BuilderPage({ name, query }: { name: string; query: URLSearchParams }) {
  usePageTitle(name);
  const status = (STATUSES as readonly string[]).includes(query.get('status') ?? '') ? (query.get('status') as string) : '';
  const filter: HistoryFilter = { status, pr: query.get('pr') ?? '', repo: query.get('repo') ?? '' };
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const [newer, setNewer] = useState<{ key: string; n: number }>({ key: '', n: 0 });
  const key = `${name}|${filter.status}|${filter.pr}|${filter.repo}|${offset}`;

  const summary = useLive('builders', (s) => api.builderSummaries(s), (e) => e.type === 'build' || e.type === 'worker' || e.type === 'queue');
  const builder = summary.data?.builders.find((b) => b.name === name);
  const shown = new Set<number>();
  const relevant = (e: LiveEvent) => {
    if (e.type !== 'build' || e.build.builder !== name) return false;
    if (shown.has(e.build.id) || offset === 0) return true;
    // A new build on a later page would shift every row: say so instead of moving them.
    setNewer((n) => ({ key, n: n.key === key ? n.n + 1 : 1 }));
    return false;
  };
  const builds = useLive(key, (s) => api.builds(toQuery(name, filter, offset), s), relevant);
  builds.data?.builds.forEach((b: ApiBuild) => shown.add(b.id));

  const link = (f: HistoryFilter, o: number) => href.builder(name, { status: f.status, pr: f.pr, repo: f.repo, offset: o || undefined });
  const unknown = summary.data && !builder;
  return (
    <>
      <div class="page-head">
        <p class="crumbs">
          <a href={href.builders()}>Builders</a> /
        </p>
        <h1 tabIndex={-1}>{name}</h1>
        {builder ? (
          <div class="head-facts">
            <BuilderState builder={builder} />
            <BuilderWorkers builder={builder} />
          </div>
        ) : null}
        {builder?.schedule ? (
          <p class="schedule-note">
            Scheduled <code>{builder.schedule.cron}</code>{builder.schedule.timezone ? ` (${builder.schedule.timezone})` : ''} on {builder.schedule.ref.replace(/^refs\/(heads|tags)\//, '')}
            {builder.schedule.only_if_changed ? ', when it moved' : ''}; next <RelTime at={builder.schedule.next_at} />
          </p>
        ) : null}
        {builder ? <ForceForm builder={builder} /> : null}
        {unknown ? <p class="warn">No builder named “{name}” is configured now; its past builds are still listed.</p> : null}
      </div>
      <HistoryFilters value={filter} onChange={(f) => (location.hash = link(f, 0))} />
      {newer.key === key && newer.n > 0 ? (
        <p class="note" role="status">
          {plural(newer.n, 'newer build')} since this page opened. <a href={link(filter, 0)}>Show the newest</a>
        </p>
      ) : null}
      {builds.error ? <ErrorNote error={builds.error} retry={builds.reload} /> : null}
      <div class="list-area" aria-busy={builds.loading}>
        {builds.data ? (
          builds.data.builds.length > 0 ? (
            <BuildsTable builds={builds.data.builds} caption={`Builds of ${name}`} />
          ) : (
            <p class="empty-state">{filter.status || filter.pr || filter.repo ? 'No build matches these filters.' : 'No builds yet.'}</p>
          )
        ) : (
          <p class="muted">Loading…</p>
        )}
      </div>
      {builds.data ? <Pager offset={offset} limit={PAGE} total={builds.data.meta.total} hrefFor={(o) => link(filter, o)} label="Build history" /> : null}
    </>
  );
}
