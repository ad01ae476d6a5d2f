import { describe, expect, it } from 'vitest';
import { latestSlot, nextSlot } from '../../../master/schedules/schedule-slots.js';

const at = (iso: string) => Date.parse(iso);

describe('schedule slots', () => {
  it('finds the newest slot at or before now, and the next one after it', () => {
    const daily = { cron: '0 3 * * *', timezone: 'UTC' };
    expect(latestSlot(daily, at('2026-03-10T05:00:00Z'))).toBe(at('2026-03-10T03:00:00Z'));
    expect(latestSlot(daily, at('2026-03-10T02:59:59Z'))).toBe(at('2026-03-09T03:00:00Z'));
    // The slot's own instant is that slot, not the one before.
    expect(latestSlot(daily, at('2026-03-10T03:00:00Z'))).toBe(at('2026-03-10T03:00:00Z'));
    expect(nextSlot(daily, at('2026-03-10T03:00:00Z'))).toBe(at('2026-03-11T03:00:00Z'));
  });

  it('reads the pattern in the given time zone, across a change to summer time', () => {
    const berlin = { cron: '0 3 * * *', timezone: 'Europe/Berlin' };
    // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer (from 29 March 2026).
    expect(nextSlot(berlin, at('2026-03-27T12:00:00Z'))).toBe(at('2026-03-28T02:00:00Z'));
    expect(nextSlot(berlin, at('2026-03-28T12:00:00Z'))).toBe(at('2026-03-29T01:00:00Z'));
    expect(nextSlot({ cron: '@daily', timezone: 'America/New_York' }, at('2026-01-01T12:00:00Z'))).toBe(at('2026-01-02T05:00:00Z'));
  });

  it('takes seconds as a sixth field', () => {
    expect(nextSlot({ cron: '*/5 * * * * *', timezone: 'UTC' }, at('2026-01-01T00:00:01Z'))).toBe(at('2026-01-01T00:00:05Z'));
  });
});
