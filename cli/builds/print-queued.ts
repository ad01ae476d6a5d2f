// What rebuild, force and cancel print: the build they made or changed.
import type { ApiBuild, ApiList } from '../../master/api/schemas/index.js';
import { buildState, buildTarget } from './build-line.js';
import type { Output } from './output.js';

export function printQueued(answer: ApiList<'builds', ApiBuild>, o: { json?: boolean }, out: Output): void {
  if (o.json) return out.json(answer);
  if (answer.builds.length === 0) return out.line('nothing queued (already queued or running for this commit)');
  for (const b of answer.builds) out.line(`${b.builder} #${b.number} (id ${b.id}): ${buildState(b)}, ${buildTarget(b)}: ${b.cancel_requested ?? b.result_reason ?? b.reason}`);
}
