// What a builder's badge says: its last verdict, and nothing else (no pull request titles, no
// authors, no sha). A builder that does not exist, or has no verdict yet, gets the same neutral
// "unknown" badge: the answer does not tell a stranger which builder names exist.
import type { BuildRow } from '../store/build-store.js';
import type { Badge } from './badge-svg.js';

const MESSAGES: Record<string, Omit<Badge, 'label'>> = {
  success: { message: 'passing', color: '#4c1' },
  failure: { message: 'failing', color: '#e05d44' },
  error: { message: 'error', color: '#fe7d37' },
};
const UNKNOWN = { message: 'unknown', color: '#9f9f9f' };

/** Builder names are letters, digits, ".", "_" and "-": anything else is not echoed back. */
const BUILDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function builderBadge(requested: string, verdict: Pick<BuildRow, 'result'> | undefined): Badge {
  const label = BUILDER_NAME.test(requested) ? requested : 'build';
  return { label, ...((verdict?.result && MESSAGES[verdict.result]) || UNKNOWN) };
}
