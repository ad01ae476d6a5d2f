import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { toPullSummary, type PullLike } from '../../../master/github/pull-summary.js';

// A real pull request object as GitHub sends it (the REST shape is a superset of these fields).
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<{ action?: string; pull_request?: PullLike }> }>;
const opened = examples.find((e) => e.name === 'pull_request')!.examples.find((e) => e.action === 'opened')!.pull_request!;

describe('toPullSummary', () => {
  it('takes the fields triggers need from a real pull request', () => {
    expect(toPullSummary(opened)).toEqual({
      number: 2,
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      headRef: 'changes',
      headRepo: 'Codertocat/Hello-World',
      baseRef: 'master',
      baseRepo: 'Codertocat/Hello-World',
      title: 'Update the README with new information.',
      draft: false,
      state: 'open',
      author: 'Codertocat',
      authorAssociation: 'OWNER',
      labels: [],
    });
  });

  it('handles a deleted fork, a deleted author, labels and a missing draft flag', () => {
    const pull: PullLike = { ...opened, head: { ...opened.head, repo: null }, user: null, labels: [{ name: 'no_lvm' }, { name: null }, { name: 'docs' }], draft: undefined, state: 'closed' };
    expect(toPullSummary(pull)).toMatchObject({ headRepo: null, author: 'ghost', labels: ['no_lvm', 'docs'], draft: false, state: 'closed' });
  });
});
