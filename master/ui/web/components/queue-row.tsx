// One waiting request: which build, for what, since when, its priority (when not 0), and why it waits.
import type { ApiQueueEntry } from '../../../api/schemas';
import { prUrl, useInfo } from '../lib/info-context';
import { href } from '../lib/router';
import { CommitLink } from './commit-link';
import { PrLink } from './pr-link';
import { RepoLink } from './repo-link';
import { RelTime } from './rel-time';
import { StatusPill } from './status-pill';

export function QueueRow({ entry: r }: { entry: ApiQueueEntry }) {
  const info = useInfo();
  const awaiting = r.state === 'awaiting-approval';
  return (
    <li class={`queue-item${awaiting ? ' awaiting' : ''}`} data-request={r.id} data-state={r.state}>
      <div class="queue-what">
        <a href={r.build_id !== null ? href.build(r.build_id) : href.builder(r.builder)}>
          {r.builder} #{r.number}
        </a>
        {r.priority !== 0 ? (
          <span class="queue-priority small" title="Higher goes first; a request gains 1 for each interval it waits (dispatch.priorityAgingMinutes)">
            priority {r.priority}
          </span>
        ) : null}
        <span>
          {info.repos.length > 1 ? (
            <>
              <RepoLink repo={r.repo} /> ·{' '}
            </>
          ) : null}
          PR <PrLink repo={r.repo} pr={r.pr} /> · <CommitLink repo={r.repo} sha={r.sha} />
        </span>
        <span class="muted small">
          waiting since <RelTime at={r.created_at} />
        </span>
      </div>
      <div class="queue-why">
        <StatusPill status={awaiting ? 'awaiting-approval' : 'queued'} />
        {awaiting ? (
          <p>
            From an outside contributor: it runs once a trusted member comments <code>{info.approve_command}</code> on{' '}
            {r.pr !== null && r.repo ? (
              <a href={prUrl(info, r.repo, r.pr)} target="_blank" rel="noopener noreferrer">
                the pull request
              </a>
            ) : (
              'the pull request'
            )}
            .
          </p>
        ) : (
          <p>{r.waiting ?? 'Ready: the next free matching worker takes it.'}</p>
        )}
        {r.reason ? <p class="muted small">{r.reason}</p> : null}
      </div>
    </li>
  );
}
