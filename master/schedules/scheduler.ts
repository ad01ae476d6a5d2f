// Scheduled builds (`triggers.schedule`): at each slot of a builder's cron pattern, the scheduled
// branch or tag is resolved through GitHub and a change is stored for the builder, with the slot
// marked done in the same transaction. The newest slot done per builder is kept in the database,
// so a master that was down through slots runs the newest of them once at start, not once each.
// A builder seen for the first time starts counting from now: a new schedule does not fire at once.
import type { BuilderConfig, Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { Stores } from '../store/stores.js';
import { requestedChange } from '../triggers/requested-change.js';
import { resolveRef, type RefLookups } from '../triggers/resolve-ref.js';
import { builderRepo, repoCloneUrl } from '../triggers/builder-repo.js';
import { latestSlot, nextSlot } from './schedule-slots.js';

export interface SchedulerDeps {
  config: Config;
  stores: Stores;
  /** Resolves the scheduled ref; without it no schedule can fire (each slot is logged and left for later). */
  github: RefLookups | undefined;
  now: () => number;
  logger: Logger;
  /** A scheduled change was stored: let the change processor queue its build. */
  onChange: () => void;
  /** After GitHub failed, try the slot again this much later (default 60 s). */
  retryMs?: number;
}

/** Timers wait at most this long, then look again: the wall clock may have jumped meanwhile. */
const MAX_WAIT_MS = 3_600_000;

export function createScheduler(deps: SchedulerDeps) {
  const { config, stores, now, logger } = deps;
  const scheduled = config.builders.filter((b) => b.triggers.schedule !== undefined);
  const retryMs = deps.retryMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let closed = false;

  /** Handle this builder's newest slot if it is not done yet: a change stored, nothing to do, or GitHub failed (try again). */
  async function fire(builder: BuilderConfig, at: number): Promise<'stored' | 'done' | 'retry'> {
    const schedule = builder.triggers.schedule!;
    const slot = latestSlot(schedule, at);
    if (slot === undefined) return 'done';
    const last = stores.scheduleRuns.get(builder.name);
    if (!last) {
      stores.scheduleRuns.record(builder.name, slot, null, null);
      return 'done';
    }
    if (last.slot_at >= slot) return 'done';
    const log = logger.child({ builder: builder.name, slot: new Date(slot).toISOString() });
    if (!deps.github) {
      log.warn('a scheduled build needs the GitHub API (github.token or github.app) to resolve its ref; skipped');
      stores.scheduleRuns.record(builder.name, slot, last.sha, null);
      return 'done';
    }
    const repo = builderRepo(config, builder);
    let resolved;
    try {
      resolved = await resolveRef(deps.github, repo, schedule.ref);
    } catch (error) {
      log.warn({ err: (error as Error).message }, `cannot resolve ${schedule.ref} for a scheduled build; trying again shortly`);
      return 'retry';
    }
    if (!resolved) {
      log.warn(`${repo} has no ${schedule.ref}: scheduled build skipped`);
      stores.scheduleRuns.record(builder.name, slot, null, null);
      return 'done';
    }
    if (schedule.onlyIfChanged && last.sha === resolved.sha) {
      log.info({ sha: resolved.sha }, `${schedule.ref} did not move since the last scheduled build: skipped`);
      stores.scheduleRuns.record(builder.name, slot, resolved.sha, null);
      return 'done';
    }
    const sha = resolved.sha;
    stores.transaction(() => {
      const changeId = stores.changes.insert(null, requestedChange({
        kind: 'schedule', builder: builder.name, repo, cloneUrl: repoCloneUrl(config, repo), pr: null, sha, ref: resolved.ref, author: null,
        reason: `scheduled build of ${schedule.ref} (${schedule.cron}${schedule.timezone ? ` ${schedule.timezone}` : ''}: slot ${new Date(slot).toISOString()})`,
      }));
      stores.scheduleRuns.record(builder.name, slot, sha, changeId);
    });
    log.info({ sha }, `scheduled build of ${schedule.ref} asked for`);
    return 'stored';
  }

  /** Handle every builder's due slot; false when one must be tried again. */
  async function tick(): Promise<boolean> {
    if (running) return running;
    running = (async () => {
      const outcomes = [];
      for (const b of scheduled) outcomes.push(await fire(b, now()));
      if (outcomes.includes('stored')) deps.onChange();
      return !outcomes.includes('retry');
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function arm(ok: boolean): void {
    if (closed || scheduled.length === 0) return;
    const t = now();
    const nexts = scheduled.map((b) => nextSlot(b.triggers.schedule!, t)).filter((n): n is number => n !== undefined);
    const wait = Math.min(MAX_WAIT_MS, ok ? MAX_WAIT_MS : retryMs, ...nexts.map((n) => n - t));
    timer = setTimeout(() => void run(), Math.max(0, wait)).unref();
  }

  async function run(): Promise<void> {
    let ok = false;
    try {
      ok = await tick();
    } catch (error) {
      logger.error({ err: error }, 'scheduled builds failed');
    }
    arm(ok);
  }

  return {
    /** Handle the due slots now (a test moves its clock and calls this). */
    tick,
    /** Handle missed slots, then wait for the next ones. */
    start: (): void => void run(),
    close(): void {
      closed = true;
      clearTimeout(timer);
    },
  };
}
export type Scheduler = ReturnType<typeof createScheduler>;
