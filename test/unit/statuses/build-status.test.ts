import { describe, expect, it } from 'vitest';
import { transitionFor } from '../../../master/statuses/build-status.js';
import type { BuildRow } from '../../../master/store/build-store.js';
import type { BuildSummary } from '../../../master/logs/build-summary.js';
import type { StepRow } from '../../../master/store/step-store.js';
import { emptyJunitSummary } from '../../../master/logs/junit-summary.js';

const build = (over: Partial<BuildRow> = {}): BuildRow => ({
  id: 1, request_id: 1, builder: 'unit', number: 1, state: 'queued', result: null, result_reason: null, reason: 'pull request #1 opened',
  repo: 'o/r', pr: 1, sha: 'a'.repeat(40), ref: 'refs/pull/1/head', clone_url: null, worker: null, cancel_requested: null,
  created_at: 1, started_at: null, finished_at: null, image: null, image_version: null, image_used_at: null, docs_only: 0, ...over,
});
const step = (over: Partial<StepRow>): StepRow => ({ step: '0', name: 'test', state: 'finished', result: 'success', exit_code: 0, reason: null, started_at: 1, finished_at: 2, duration_ms: 1, log_bytes: 0, ...over });
const summary = (over: Partial<BuildSummary> = {}) => () => ({ steps: [], failedStep: undefined, junitFiles: [], junit: undefined, ...over });
const ran = { started_at: 5, worker: 'w1' };

describe('the status of a build', () => {
  it('pending while queued, awaiting approval, running; keys carry the attempt', () => {
    expect(transitionFor(build(), { state: 'queued', attempts: 0 }, '/ok-to-test', summary())).toEqual({ key: 'queued@0', state: 'pending', description: 'Build queued.', ran: false });
    expect(transitionFor(build(), { state: 'awaiting-approval', attempts: 0 }, '/ok-to-test', summary())).toMatchObject({ key: 'awaiting', description: 'Waiting for /ok-to-test.' });
    expect(transitionFor(build({ state: 'running', ...ran }), { state: 'claimed', attempts: 1 }, '/ok-to-test', summary())).toEqual({ key: 'started@1', state: 'pending', description: 'Build started.', ran: true });
    // Put back in the queue after a lost worker: a new transition, not a repeat.
    expect(transitionFor(build(), { state: 'queued', attempts: 1 }, '/ok-to-test', summary())?.key).toBe('queued@1');
  });

  it('final: success, failure with the step and tests, error with the reason', () => {
    const done = (result: BuildRow['result'], reason: string | null, s = summary()) =>
      transitionFor(build({ state: 'finished', result, result_reason: reason, ...ran }), { state: 'complete', attempts: 1 }, '/ok-to-test', s);
    expect(done('success', null)).toEqual({ key: 'finished', state: 'success', description: 'Build done.', ran: true });
    const junit = { ...emptyJunitSummary(), tests: 12, failed: 1 };
    const failed = step({ step: '1', name: 'test', result: 'failure', exit_code: 2 });
    expect(done('failure', 'step test failed', summary({ failedStep: failed, junit }))?.description).toBe('Build done. Step test failed (exit code 2); 12 tests, 1 failed.');
    expect(done('error', 'step build timed out', summary({ failedStep: step({ name: 'build', result: 'error', exit_code: null, reason: 'timed out after 5m' }) }))).toMatchObject({ state: 'error', description: 'Build done. Step build errored (timed out after 5m).' });
    expect(done('error', 'worker w1 lost.', summary())?.description).toBe('Build done. Error: worker w1 lost.');
    expect(done('success', null, summary({ junit: { ...emptyJunitSummary(), tests: 3, skipped: 1 } }))?.description).toBe('Build done. 3 tests, 0 failed, 1 skipped.');
  });

  it('skipped is success with the reason; cancelled is error with the master\'s reason', () => {
    expect(transitionFor(build({ state: 'finished', result: 'skipped', result_reason: 'skipped: [CI:DOCS] in the title' }), undefined, '/ok', summary()))
      .toEqual({ key: 'finished', state: 'success', description: 'skipped: [CI:DOCS] in the title', ran: false });
    expect(transitionFor(build({ state: 'finished', result: 'skipped', result_reason: 'label no_unit' }), undefined, '/ok', summary())?.description).toBe('skipped: label no_unit');
    expect(transitionFor(build({ state: 'finished', result: 'cancelled', result_reason: 'cancelled: whatever the worker said', cancel_requested: 'superseded by bbbbbbb', ...ran }), undefined, '/ok', summary()))
      .toMatchObject({ state: 'error', description: 'Build cancelled: superseded by bbbbbbb.', ran: true });
    expect(transitionFor(build({ state: 'finished', result: 'cancelled', result_reason: null }), undefined, '/ok', summary())?.description).toBe('Build cancelled: no reason given.');
  });

  it('no status without a commit', () => {
    expect(transitionFor(build({ sha: null }), undefined, '/ok', summary())).toBeNull();
  });
});
