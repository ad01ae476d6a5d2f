import { absoluteTime, relativeTime } from '../lib/format';
import { useNow } from '../lib/use-now';

/** "3 min ago", with the absolute time on hover. */
export function RelTime({ at }: { at: number | null }) {
  const now = useNow();
  if (at === null) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={absoluteTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}
