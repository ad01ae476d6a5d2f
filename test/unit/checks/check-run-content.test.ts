import { describe, expect, it } from 'vitest';
import { checkRunContent, fitOutput, type CheckRunContentInput } from '../../../master/checks/check-run-content.js';
import type { BuildRow } from '../../../master/store/build-store.js';
import type { StepRow } from '../../../master/store/step-store.js';
import type { BuildSummary } from '../../../master/logs/build-summary.js';

const SECRET = 'hunter2-very-secret';

function build(over: Partial<BuildRow>): BuildRow {
  return {
    id: 7, request_id: 7, builder: 'unit', number: 3, state: 'finished', result: 'failure', result_reason: null, reason: 'pull request #1 opened',
    repo: 'o/r', pr: 1, sha: 'a'.repeat(40), ref: 'refs/pull/1/head', clone_url: null, worker: 'w1', cancel_requested: null,
    created_at: 0, started_at: 1_000, finished_at: 66_000, image: null, image_version: null, image_used_at: null, docs_only: 0, ...over,
  };
}
const failedStep: StepRow = { step: '1', name: 'test', state: 'finished', result: 'failure', exit_code: 3, reason: null, started_at: 1_000, finished_at: 61_000, duration_ms: 60_000, log_bytes: 40 };
const summary: BuildSummary = {
  steps: [{ ...failedStep, step: '0', name: 'setup', result: 'success', exit_code: 0, duration_ms: 900 }, failedStep],
  failedStep,
  junitFiles: [],
  junit: undefined,
};
const input = (over: Partial<CheckRunContentInput>): CheckRunContentInput => ({
  build: build({}), request: { state: 'complete', attempts: 1 }, summary: () => summary, failedStepTail: () => `token=${SECRET}\nboom`,
  approveCommand: '/ok-to-test', detailsUrl: 'https://ci/#/builds/7', secrets: [SECRET], ...over,
});

describe('check run content', () => {
  it('a failed build: failure, the steps, the masked tail, each step in the text', () => {
    const c = checkRunContent(input({}))!;
    expect(c.run).toMatchObject({ status: 'completed', conclusion: 'failure', detailsUrl: 'https://ci/#/builds/7', startedAt: new Date(1_000), completedAt: new Date(66_000) });
    expect(c.run.output.title).toBe('Build done. Step test failed (exit code 3).');
    expect(c.run.output.summary).toContain('| 1 | test | failure (exit code 3) | 1m0s |');
    expect(c.run.output.summary).toContain('token=***\nboom');
    expect(c.run.output.summary).not.toContain(SECRET);
    expect(c.run.output.text).toContain('### 0. setup\n\n- Result: success');
  });

  it('maps results to conclusions, and queued / awaiting / running to their statuses', () => {
    const conclusion = (result: BuildRow['result']) => checkRunContent(input({ build: build({ result }) }))?.run.conclusion;
    expect([conclusion('success'), conclusion('error'), conclusion('cancelled'), conclusion('skipped')]).toEqual(['success', 'failure', 'cancelled', 'skipped']);
    const waiting = checkRunContent(input({ build: build({ state: 'queued', result: null }), request: { state: 'awaiting-approval', attempts: 0 } }))!;
    expect([waiting.run.status, waiting.run.output.title]).toEqual(['queued', 'Waiting for /ok-to-test.']);
    const running = checkRunContent(input({ build: build({ state: 'running', result: null, finished_at: null }) }))!;
    expect([running.run.status, running.run.conclusion, running.annotations]).toEqual(['in_progress', undefined, []]);
    expect(checkRunContent(input({ build: build({ sha: null }) }))).toBeNull();
  });

  it('cuts output to what GitHub takes, saying so', () => {
    const cut = fitOutput('x'.repeat(70_000));
    expect(cut.length).toBe(65_535);
    expect(cut).toMatch(/cut: GitHub shows at most 65535 characters here\)$/);
  });
});
