// The times a builder's schedule fires ("slots"), from its cron pattern in its time zone (default:
// the master's). Pure: the clock is an argument, so tests move it at will.
import { Cron } from 'croner';

export interface ScheduleTimes {
  /** The pattern, as configured. */
  cron: string;
  /** IANA time zone; undefined: the master's own. */
  timezone: string | undefined;
}

function cronOf(s: ScheduleTimes): Cron {
  return new Cron(s.cron, { paused: true, ...(s.timezone ? { timezone: s.timezone } : {}) });
}

/** The newest slot at or before `now` (ms), or undefined when the pattern never fired before it. */
export function latestSlot(s: ScheduleTimes, now: number): number | undefined {
  // previousRuns looks strictly before its start: start one millisecond later so `now` itself counts.
  const [previous] = cronOf(s).previousRuns(1, new Date(now + 1));
  return previous?.getTime();
}

/** The first slot after `now` (ms), or undefined when the pattern never fires again. */
export function nextSlot(s: ScheduleTimes, now: number): number | undefined {
  return cronOf(s).nextRun(new Date(now))?.getTime();
}
