// How the CLI names a build's state and what it built, in one cell each.
import type { ApiBuild } from '../../master/api/schemas/index.js';

export function buildState(b: ApiBuild): string {
  if (b.state !== 'finished') return b.cancel_requested ? `${b.state} (cancelling)` : b.state;
  return b.result ?? 'finished';
}

export function buildTarget(b: ApiBuild): string {
  const sha = b.sha ? b.sha.slice(0, 7) : '-';
  if (b.pr !== null) return `PR #${b.pr} ${sha}`;
  const ref = b.ref?.replace(/^refs\/(heads|tags)\//, '') ?? '';
  return ref && ref !== b.sha ? `${ref} ${sha}` : sha;
}
