// A running build whose no_<builder> label was just added is cancelled on its worker, and must
// still end as "skipped" (the PR's status says skipped, not cancelled). The cancel request's
// reason carries that: one starting "skipped:" turns the worker's "cancelled" into "skipped".
import type { BuildResult } from '../../shared/protocol.js';

const SKIPPED = 'skipped:';

/** The result a build ends with, given what its worker said and why it was asked to cancel. */
export function resultAfterCancel(result: BuildResult, cancelRequested: string | null): { result: BuildResult; reason?: string } {
  if (result === 'cancelled' && cancelRequested?.startsWith(SKIPPED)) return { result: 'skipped', reason: cancelRequested };
  return { result };
}
