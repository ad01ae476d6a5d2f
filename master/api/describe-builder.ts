import type { BuilderConfig, Config } from '../../shared/config.js';
import { builderNeeds } from '../dispatch/worker-match.js';
import type { ScheduleRunStore } from '../store/schedule-run-store.js';
import { nextSlot } from '../schedules/schedule-slots.js';

/** A configured builder as the API shows it (both builder lists share it). */
export function describeBuilder(b: BuilderConfig, config: Config, scheduleRuns: ScheduleRunStore) {
  const schedule = b.triggers.schedule;
  return {
    name: b.name,
    executor: b.executor,
    image: b.vm?.image ?? null,
    arch: builderNeeds(b, config).arch ?? null,
    labels: b.labels,
    max_concurrent: b.maxConcurrent ?? null,
    steps: b.steps.map((s) => s.name),
    properties: Object.entries(b.properties).map(([name, p]) => ({ name, description: p.description ?? null, default: p.default, choices: p.choices ?? null })),
    schedule: schedule
      ? {
          cron: schedule.cron, timezone: schedule.timezone ?? null, ref: schedule.ref, only_if_changed: schedule.onlyIfChanged,
          next_at: nextSlot(schedule, Date.now()) ?? null, last_slot_at: scheduleRuns.get(b.name)?.slot_at ?? null,
        }
      : null,
  };
}
