// How times, durations and commits read on the page.
import type { ApiBuild } from '../../../api/schemas';

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function relativeTime(at: number, now: number): string {
  const s = Math.round((at - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return s > 0 ? 'in a moment' : 'just now';
  if (abs < 45 * 60) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(s / 3600), 'hour');
  if (abs < 26 * 86400) return rtf.format(Math.round(s / 86400), 'day');
  if (abs < 320 * 86400) return rtf.format(Math.round(s / (30 * 86400)), 'month');
  return rtf.format(Math.round(s / (365 * 86400)), 'year');
}

export const absoluteTime = (at: number) => absolute.format(new Date(at));

/** 950 ms, 42 s, 3 min 5 s, 2 h 10 min. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** How long a build ran (or has been running), or null before it started. */
export function buildDuration(b: Pick<ApiBuild, 'started_at' | 'finished_at'>, now: number): number | null {
  if (b.started_at === null) return null;
  return (b.finished_at ?? now) - b.started_at;
}

export const shortSha = (sha: string | null) => (sha ? sha.slice(0, 7) : '—');

/** What a build is, in one word: its result when finished, else its state. */
export function buildStatus(b: Pick<ApiBuild, 'state' | 'result'>): string {
  return b.state === 'finished' ? (b.result ?? 'finished') : b.state;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
