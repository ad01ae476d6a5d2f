// The facts of one build: what, which commit, why, where, when.
import type { ApiBuild } from '../../../api/schemas';
import { buildDuration, duration } from '../lib/format';
import { useInfo } from '../lib/info-context';
import { href } from '../lib/router';
import { useNow } from '../lib/use-now';
import { CommitLink } from './commit-link';
import { PrLink } from './pr-link';
import { RepoLink } from './repo-link';
import { RelTime } from './rel-time';

export function BuildHeader({ build: b, image }: { build: ApiBuild; image: string | null }) {
  const info = useInfo();
  // A repository with a logs location of its own (github.repos[].logs) links there.
  const logs = info.repo_logs[b.repo] ?? info.logs;
  const now = useNow();
  const took = buildDuration(b, now);
  return (
    <dl class="facts">
      <div>
        <dt>Repository</dt>
        <dd>
          <RepoLink repo={b.repo} />
        </dd>
      </div>
      <div>
        <dt>Pull request</dt>
        <dd>
          <PrLink repo={b.repo} pr={b.pr} title={b.pr_title} author={b.pr_author} />
        </dd>
      </div>
      <div>
        <dt>Commit</dt>
        <dd>
          <CommitLink repo={b.repo} sha={b.sha} />
          {b.ref ? <span class="muted small"> {b.ref}</span> : null}
        </dd>
      </div>
      <div class="wide">
        <dt>Reason</dt>
        <dd>{b.reason}</dd>
      </div>
      <div>
        <dt>Worker</dt>
        <dd>{b.worker ? <a href={href.workers()}>{b.worker}</a> : <span class="muted">not assigned</span>}</dd>
      </div>
      <div>
        <dt>VM image</dt>
        <dd data-image-version={b.image_version ?? undefined}>
          {b.image ?? image ?? <span class="muted">none (host)</span>}
          {b.image_version ? <span class="block small">{b.image_version}</span> : null}
          {b.image_used_at ? (
            <span class="block muted small">
              booted <RelTime at={b.image_used_at} />
            </span>
          ) : null}
        </dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          <RelTime at={b.created_at} />
        </dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>
          <RelTime at={b.started_at} />
        </dd>
      </div>
      <div>
        <dt>Finished</dt>
        <dd>
          <RelTime at={b.finished_at} />
        </dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd class="num">{took === null ? <span class="muted">—</span> : duration(took)}</dd>
      </div>
      {b.result_reason ? (
        <div class="wide">
          <dt>Result</dt>
          <dd>{b.result_reason}</dd>
        </div>
      ) : null}
      {b.cancel_requested && b.state !== 'finished' ? (
        <div class="wide">
          <dt>Cancel requested</dt>
          <dd>{b.cancel_requested}</dd>
        </div>
      ) : null}
      {logs?.web_url ? (
        <div>
          <dt>Logs branch</dt>
          <dd>
            <a href={logs.web_url} target="_blank" rel="noopener noreferrer">
              {logs.branch}
            </a>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
