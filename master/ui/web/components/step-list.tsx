import type { ShownStep } from '../lib/merge-steps';
import { StepItem } from './step-item';

export function StepList({ buildId, steps, open, onToggle }: { buildId: number; steps: ShownStep[]; open: Set<string>; onToggle(step: string): void }) {
  if (steps.length === 0) return <p class="muted">No steps yet.</p>;
  return (
    <ol class="steps" aria-label="Steps">
      {steps.map((s) => (
        <StepItem key={s.step} buildId={buildId} step={s} open={open.has(s.step)} onToggle={() => onToggle(s.step)} />
      ))}
    </ol>
  );
}
