// One webhook delivery: when, what event, which PR and commit, and what came of it.
import type { ApiDelivery } from '../../../api/schemas';
import { CommitLink } from './commit-link';
import { PrLink } from './pr-link';
import { RelTime } from './rel-time';
import { StatusPill } from './status-pill';

/** The outcome in the operator's words. */
const OUTCOME: Record<ApiDelivery['outcome'], { status: string; label: string }> = {
  queued: { status: 'queued', label: 'queued' },
  skipped: { status: 'skipped', label: 'skipped' },
  ignored: { status: 'cancelled', label: 'ignored' },
  cancelled: { status: 'cancelled', label: 'cancelled builds' },
  error: { status: 'error', label: 'error' },
  pending: { status: 'queued', label: 'pending' },
};

export function DeliveryRow({ delivery: d }: { delivery: ApiDelivery }) {
  const o = OUTCOME[d.outcome] ?? { status: 'queued', label: d.outcome };
  return (
    <tr data-delivery={d.id} data-outcome={d.outcome}>
      <td>
        <RelTime at={d.received_at} />
      </td>
      <td>
        {d.event}
        {d.action ? <span class="muted">.{d.action}</span> : null}
      </td>
      <td>
        <PrLink repo={d.repo} pr={d.pr} />
      </td>
      <td class="wide-only">
        <CommitLink repo={d.repo} sha={d.sha} />
      </td>
      <td>
        <StatusPill status={o.status} label={o.label} />
      </td>
      <td class="clip detail" title={d.detail ?? undefined}>
        {d.detail ?? <span class="muted">—</span>}
      </td>
    </tr>
  );
}
