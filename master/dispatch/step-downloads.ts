// The `download`s a builder's steps make (parallel groups included): what the worker may fetch
// (download-grant.ts) and which earlier builds retention must keep (retention/builds-still-needed.ts).
import type { StepConfig } from '../../shared/config.js';

export function stepDownloads(steps: readonly StepConfig[]): Array<{ from: string; paths: string[] }> {
  return steps.flatMap((s) => [...(s.download ? [s.download] : []), ...stepDownloads(s.parallel ?? [])]);
}
