// The client's check run and issue comment calls against the stand-in, which validates each one
// against GitHub's description: a run is created, updated with annotations in batches, found by
// its external id; a personal token is refused as GitHub refuses it; comments are created, found
// by a marker, and edited in place.
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubApiError } from '../../../master/github/github-client.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-api-stand-in.js';
import { createTestAppClient, createTestGitHubClient, testApp } from '../../support/github-test-client.js';

const REPO = 'acme/widgets';
const SHA = 'a'.repeat(40);

let gh: GitHubStandIn | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

describe('check runs', () => {
  it('creates a run, updates it with annotations, and finds it again by external id', async () => {
    gh = await startGitHubStandIn({ tokens: [], app: testApp().standIn, repos: { [REPO]: {} } });
    const client = createTestAppClient(gh);
    const id = await client.createCheckRun(REPO, { name: 'gatehouse/lvm', headSha: SHA, externalId: '17', status: 'queued', detailsUrl: 'https://ci.example/#/builds/17' });
    await client.updateCheckRun(REPO, id, { status: 'in_progress', startedAt: new Date('2024-05-01T10:00:00.123Z') });
    const annotation = { path: 'src/a.ts', startLine: 3, endLine: 3, level: 'failure' as const, message: 'expected 1, got 2', title: 'a works' };
    await client.updateCheckRun(REPO, id, {
      status: 'completed', conclusion: 'failure', completedAt: new Date('2024-05-01T10:01:00Z'),
      output: { title: 'Step test failed', summary: '## Steps', text: 'details', annotations: [annotation] },
    });
    const run = gh.state.checks.checkRuns.get(id);
    expect(run).toMatchObject({ name: 'gatehouse/lvm', externalId: '17', status: 'completed', conclusion: 'failure', startedAt: '2024-05-01T10:00:00Z', detailsUrl: 'https://ci.example/#/builds/17' });
    expect(run?.history).toEqual(['queued', 'in_progress', 'completed']);
    expect(run?.annotations).toEqual([{ path: 'src/a.ts', start_line: 3, end_line: 3, annotation_level: 'failure', message: 'expected 1, got 2', title: 'a works' }]);
    expect(await client.findCheckRun(REPO, SHA, 'gatehouse/lvm', '17')).toBe(id);
    expect(await client.findCheckRun(REPO, SHA, 'gatehouse/lvm', '18')).toBeUndefined();
    expect(gh.requests.filter((r) => r.operationId?.startsWith('checks/')).every((r) => r.tokenKind === 'installation')).toBe(true);
  });

  it('refuses a request with more than 50 annotations, as the description says', async () => {
    gh = await startGitHubStandIn({ tokens: [], app: testApp().standIn, repos: { [REPO]: {} } });
    const client = createTestAppClient(gh);
    const id = await client.createCheckRun(REPO, { name: 'x', headSha: SHA, externalId: '1', status: 'in_progress' });
    const many = Array.from({ length: 51 }, (_, i) => ({ path: 'a', startLine: i + 1, endLine: i + 1, level: 'failure' as const, message: 'm' }));
    await expect(client.updateCheckRun(REPO, id, { status: 'in_progress', output: { title: 't', summary: 's', annotations: many } })).rejects.toThrow(/422/);
    expect(gh.takeValidationErrors().join('\n')).toMatch(/annotations.*50/);
  });

  it('does not send a create again when its answer was lost (the run may exist)', async () => {
    gh = await startGitHubStandIn({ tokens: [], app: testApp().standIn, repos: { [REPO]: {} } });
    const client = createTestAppClient(gh);
    gh.failNext('POST', '/repos/{owner}/{repo}/check-runs', { loseAnswer: true });
    await expect(client.createCheckRun(REPO, { name: 'x', headSha: SHA, externalId: '9', status: 'queued' })).rejects.toThrow(GitHubApiError);
    expect(gh.state.checks.runsOf(REPO, SHA)).toHaveLength(1);
    expect(await client.findCheckRun(REPO, SHA, 'x', '9')).toBe(gh.state.checks.runsOf(REPO, SHA)[0]?.id);
  });

  it('is refused with a personal token (403), as GitHub refuses it', async () => {
    gh = await startGitHubStandIn({ repos: { [REPO]: {} } });
    const client = createTestGitHubClient(gh);
    const error = await client.createCheckRun(REPO, { name: 'x', headSha: SHA, externalId: '1', status: 'queued' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
    expect(gh.state.checks.checkRuns.size).toBe(0);
  });
});

describe('issue comments', () => {
  it('creates a comment, finds it by its marker, and edits it in place', async () => {
    gh = await startGitHubStandIn({ repos: { [REPO]: {} } });
    const client = createTestGitHubClient(gh);
    expect(await client.findIssueComment(REPO, 5, '<!-- gatehouse -->')).toBeUndefined();
    const id = await client.createIssueComment(REPO, 5, '<!-- gatehouse -->\nfirst');
    expect(await client.findIssueComment(REPO, 5, '<!-- gatehouse -->')).toBe(id);
    await client.updateIssueComment(REPO, id, '<!-- gatehouse -->\nsecond');
    expect(gh.state.checks.commentsOn(REPO, 5)).toMatchObject([{ id, body: '<!-- gatehouse -->\nsecond', edits: 1 }]);
  });
});
