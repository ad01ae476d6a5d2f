// One build in a builder's strip: its number on its status colour, a tooltip (hover and keyboard
// focus) with PR, sha, result and duration, and a link to the build.
import type { ApiBuild } from '../../../api/schemas';
import { buildDuration, buildStatus, duration, shortSha } from '../lib/format';
import { href } from '../lib/router';
import { useNow } from '../lib/use-now';
import { statusGlyph } from './status-pill';

export function BuildBadge({ build }: { build: ApiBuild }) {
  const now = useNow();
  const status = buildStatus(build);
  const took = buildDuration(build, now);
  const facts = [
    build.pr !== null ? `PR #${build.pr}` : (build.ref ?? 'no PR'),
    shortSha(build.sha),
    status + (build.result_reason && build.result !== 'success' ? `: ${build.result_reason}` : ''),
    took !== null ? duration(took) : 'not started',
  ];
  const label = `Build #${build.number}: ${facts.join(', ')}`;
  return (
    <a class={`badge s-${status}`} href={href.build(build.id)} aria-label={label} data-build={build.id} data-status={status}>
      <span aria-hidden="true">{build.number}</span>
      <span class="tip" role="tooltip" aria-hidden="true">
        <strong>
          {statusGlyph(status)} #{build.number} {status}
        </strong>
        {facts.slice(0, 2).join(' · ')}
        <br />
        {facts[3]}
        {build.result_reason && build.result !== 'success' ? (
          <>
            <br />
            {build.result_reason}
          </>
        ) : null}
      </span>
    </a>
  );
}
