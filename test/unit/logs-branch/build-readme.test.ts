import { describe, expect, it } from 'vitest';
import { renderReadme } from '../../../master/logs-branch/build-readme.js';
import type { BuildRow } from '../../../master/store/build-store.js';
import { emptyJunitSummary } from '../../../master/logs/junit-summary.js';

const build: BuildRow = {
  id: 3, request_id: 3, builder: 'lvm', number: 7, state: 'finished', result: 'failure', result_reason: 'step test | failed\nbadly', reason: 'pull request #12 opened',
  repo: 'o/r', pr: 12, sha: 'f'.repeat(40), ref: 'refs/pull/12/head', clone_url: null, worker: 'host1', cancel_requested: null,
  created_at: 0, started_at: Date.parse('2024-05-01T10:00:00Z'), finished_at: Date.parse('2024-05-01T10:03:05Z'),
  image: null, image_version: null, image_used_at: null, docs_only: 0,
};

describe('README of a build folder', () => {
  it('keeps the tables whole and code blocks closed, whatever the data holds', () => {
    const junit = { ...emptyJunitSummary(), tests: 2, failed: 1, failures: [{ kind: 'failure' as const, suite: 's', classname: 'c', name: 'n', message: 'a ``` fence', detail: 'trace', report: 'r.xml' }] };
    const md = renderReadme({ build, repoWebUrl: 'https://github.com/o/r', vmImage: 'debian-ppc64le', uiUrl: undefined },
      { steps: [{ step: '0', name: 'test', state: 'finished', result: 'failure', exit_code: 1, reason: null, started_at: 1, finished_at: 2, duration_ms: 185_000, log_bytes: 1 }], failedStep: undefined, junitFiles: [{ step: '0', path: 'r.xml', storedAt: '/x' }], junit },
      new Map([['0', '01-test.log']]));
    expect(md).toContain('| Why | step test \\| failed badly |');
    expect(md).toContain('| VM image | debian-ppc64le |');
    expect(md).toContain('| Duration | 3m5s |');
    expect(md).toContain('| 0 | test | failure | 3m5s | 1 | [01-test.log](01-test.log) |');
    expect(md).toContain('````\na ``` fence\n````');
    expect(md).toContain('2 tests, 1 failed (JUnit: `r.xml`).');
  });
});
