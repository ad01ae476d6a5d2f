import type { ApiBuilderSummary } from '../../../api/schemas';
import { StatusPill } from './status-pill';

/** A builder's state now: idle, running (how many) or waiting (queued, awaiting approval). */
export function BuilderState({ builder: b }: { builder: ApiBuilderSummary }) {
  const parts: string[] = [];
  if (b.running > 0) parts.push(`${b.running} running`);
  if (b.queued > 0) parts.push(`${b.queued} queued`);
  if (b.awaiting_approval > 0) parts.push(`${b.awaiting_approval} awaiting approval`);
  return (
    <div class="builder-state">
      <StatusPill status={b.state === 'waiting' ? 'queued' : b.state} label={b.state} />
      <span class="muted small">{parts.join(' · ') || 'nothing queued'}</span>
    </div>
  );
}
