// A page of builds: number, status, repository, PR, commit, reason, worker, when and how long.
import type { ApiBuild } from '../../../api/schemas';
import { buildDuration, buildStatus, duration } from '../lib/format';
import { useInfo } from '../lib/info-context';
import { href } from '../lib/router';
import { useNow } from '../lib/use-now';
import { CommitLink } from './commit-link';
import { PrLink } from './pr-link';
import { RepoLink } from './repo-link';
import { RelTime } from './rel-time';
import { StatusPill } from './status-pill';

export function BuildsTable({ builds, caption }: { builds: ApiBuild[]; caption: string }) {
  const now = useNow();
  // One repository: the column would say the same on every row (the build page still names it).
  const several = useInfo().repos.length > 1;
  return (
    <div class="table-wrap">
      <table class="builds-table">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" class="col-num">Build</th>
            <th scope="col" class="col-status">Status</th>
            {several ? <th scope="col" class="col-repo">Repository</th> : null}
            <th scope="col" class="col-pr">PR</th>
            <th scope="col" class="col-sha wide-only">Commit</th>
            <th scope="col" class="wide-only">Reason</th>
            <th scope="col" class="col-worker wide-only">Worker</th>
            <th scope="col" class="col-time">Created</th>
            <th scope="col" class="col-dur">Took</th>
          </tr>
        </thead>
        <tbody>
          {builds.map((b) => {
            const took = buildDuration(b, now);
            return (
              <tr key={b.id} data-build={b.id}>
                <td>
                  <a href={href.build(b.id)}>#{b.number}</a>
                </td>
                <td>
                  <StatusPill status={buildStatus(b)} />
                </td>
                {several ? (
                  <td class="clip col-repo">
                    <RepoLink repo={b.repo} />
                  </td>
                ) : null}
                <td class="clip col-pr">
                  <PrLink repo={b.repo} pr={b.pr} title={b.pr_title} author={b.pr_author} />
                </td>
                <td class="wide-only">
                  <CommitLink repo={b.repo} sha={b.sha} />
                </td>
                <td class="wide-only clip" title={b.result_reason ? `${b.reason} — ${b.result_reason}` : b.reason}>
                  {b.reason}
                  {b.result_reason && b.result !== 'success' ? <span class="muted"> — {b.result_reason}</span> : null}
                </td>
                <td class="wide-only">{b.worker ?? <span class="muted">—</span>}</td>
                <td>
                  <RelTime at={b.created_at} />
                </td>
                <td class="num">{took === null ? <span class="muted">—</span> : duration(took)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
