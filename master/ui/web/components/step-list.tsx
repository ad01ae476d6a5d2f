import type { ShownStep } from '../lib/merge-steps';
import { StepItem } from './step-item';

/** A deep link's step, and line of its log. */
export interface StepTarget {
  step: string;
  line?: number;
}

export function StepList({ buildId, steps, open, onToggle, target }: { buildId: number; steps: ShownStep[]; open: Set<string>; onToggle(step: string): void; target?: StepTarget }) {
  if (steps.length === 0) return <p class="muted">No steps yet.</p>;
  return (
    <ol class="steps" aria-label="Steps">
      {steps.map((s) => (
        <StepItem key={s.step} buildId={buildId} step={s} open={open.has(s.step)} onToggle={() => onToggle(s.step)} target={target?.step === s.step ? target : undefined} />
      ))}
    </ol>
  );
}
