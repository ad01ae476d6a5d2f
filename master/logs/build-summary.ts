// What one build left behind, read back for reporting: its steps in order, the first one that
// failed, and the JUnit files it collected with their summary.
import { compareStepIds } from '../../shared/protocol/step-order.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Stores } from '../store/stores.js';
import type { StepRow } from '../store/step-store.js';
import { addJunitXml, emptyJunitSummary, type JunitSummary } from './junit-summary.js';

export interface JunitFile {
  step: string;
  /** Path in the work directory, as the worker reported it. */
  path: string;
  /** Where the master stored it. */
  storedAt: string;
}

export interface BuildSummary {
  steps: StepRow[];
  /** The first step (in step order) that failed or errored. */
  failedStep: StepRow | undefined;
  junitFiles: JunitFile[];
  /** Undefined when the build collected no JUnit file. */
  junit: JunitSummary | undefined;
}

/** JUnit files bigger than this are not parsed (a runaway report should not stall the master). */
const MAX_JUNIT_BYTES = 32 * 1024 * 1024;


export function createBuildSummaryReader({ steps, artifacts }: Pick<Stores, 'steps' | 'artifacts'>) {
  return function readBuildSummary(buildId: number): BuildSummary {
    const rows = steps.ofBuild(buildId).sort((a, b) => compareStepIds(a.step, b.step));
    const junitFiles = artifacts.ofBuild(buildId).filter((r) => r.kind === 'junit').map((r) => ({ step: r.step, path: r.path, storedAt: r.stored_at }));
    let summary: JunitSummary | undefined;
    for (const file of junitFiles) {
      summary ??= emptyJunitSummary();
      if (!existsSync(file.storedAt)) summary.unreadable.push(`${file.path}: no longer on disk`);
      else if (statSync(file.storedAt).size > MAX_JUNIT_BYTES) summary.unreadable.push(`${file.path}: over ${MAX_JUNIT_BYTES >> 20} MiB, not read`);
      else addJunitXml(summary, readFileSync(file.storedAt, 'utf8'), file.path);
    }
    return {
      steps: rows,
      failedStep: rows.find((s) => s.result === 'failure' || s.result === 'error'),
      junitFiles,
      junit: summary,
    };
  };
}
export type BuildSummaryReader = ReturnType<typeof createBuildSummaryReader>;
