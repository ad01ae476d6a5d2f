// One step: a button that opens its log, with state, duration, exit code and why it ended.
import type { ShownStep } from '../lib/merge-steps';
import { duration } from '../lib/format';
import { useNow } from '../lib/use-now';
import { LogView } from './log-view';
import { statusGlyph } from './status-pill';

export function StepItem({ buildId, step, open, onToggle }: { buildId: number; step: ShownStep; open: boolean; onToggle(): void }) {
  const now = useNow();
  const status = step.notRun ? 'not-run' : step.state === 'finished' ? (step.result ?? 'finished') : step.state;
  const took = step.duration_ms ?? (step.started_at !== null ? (step.finished_at ?? now) - step.started_at : null);
  const panel = `step-${step.step}-log`;
  const depth = step.step.split('.').length - 1;
  return (
    <li class={`step s-${status}${depth ? ' child' : ''}`} data-step={step.step} data-status={status}>
      <button type="button" class="step-head" aria-expanded={open} aria-controls={panel} disabled={!step.started} onClick={onToggle}>
        <span class="glyph" aria-hidden="true">
          {statusGlyph(status)}
        </span>
        <span class="step-name">{step.name}</span>
        <span class="step-status">{status === 'not-run' ? 'not run' : status}</span>
        <span class="step-exit num">{step.exit_code !== null ? `exit ${step.exit_code}` : ''}</span>
        <span class="step-took num">{took !== null ? duration(took) : ''}</span>
      </button>
      {step.reason ? <p class="step-reason">{step.reason}</p> : null}
      {open && step.started ? (
        <div id={panel}>
          <LogView buildId={buildId} step={step} />
        </div>
      ) : null}
    </li>
  );
}
