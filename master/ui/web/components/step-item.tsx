// One step: a button that opens its log, with state, duration, exit code and why it ended.
import type { ShownStep } from '../lib/merge-steps';
import { duration } from '../lib/format';
import { useNow } from '../lib/use-now';
import { href } from '../lib/router';
import { LogView } from './log-view';
import type { StepTarget } from './step-list';
import { useEffect, useRef } from 'preact/hooks';
import { statusGlyph } from './status-pill';

export function StepItem({ buildId, step, open, onToggle, target }: { buildId: number; step: ShownStep; open: boolean; onToggle(): void; target?: StepTarget }) {
  const now = useNow();
  const status = step.notRun ? 'not-run' : step.state === 'finished' ? (step.result ?? 'finished') : step.state;
  const took = step.duration_ms ?? (step.started_at !== null ? (step.finished_at ?? now) - step.started_at : null);
  const panel = `step-${step.step}-log`;
  const depth = step.step.split('.').length - 1;
  // A deep link to this step without a line: bring the step into view once.
  const item = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (target && target.line === undefined) item.current?.scrollIntoView({ block: 'start' });
  }, [target?.step, target?.line]);
  return (
    <li ref={item} class={`step s-${status}${depth ? ' child' : ''}${target ? ' targeted' : ''}`} data-step={step.step} data-status={status}>
      <button type="button" class="step-head" aria-expanded={open} aria-controls={panel} disabled={!step.started} onClick={onToggle}>
        <span class="glyph" aria-hidden="true">
          {statusGlyph(status)}
        </span>
        <span class="step-name">{step.name}</span>
        <span class="step-status">{status === 'not-run' ? 'not run' : status}</span>
        <span class="step-exit num">{step.exit_code !== null ? `exit ${step.exit_code}` : ''}</span>
        <span class="step-took num">{took !== null ? duration(took) : ''}</span>
      </button>
      <a class="step-link" href={href.step(buildId, step.step)} title="Link to this step" aria-label={`Link to step ${step.name}`}>
        #
      </a>
      {step.reason ? <p class="step-reason">{step.reason}</p> : null}
      {open && step.started ? (
        <div id={panel}>
          <LogView buildId={buildId} step={step} targetLine={target?.line} />
        </div>
      ) : null}
    </li>
  );
}
