// Real webhook payloads (@octokit/webhooks-examples) of a pull request and of a comment on one,
// edited to a repository, number and head: for tests that send them to several repositories.
import { examplePayload } from './sign-webhook.js';
import { TEST_REPO } from './test-config.js';

export interface PullEventSpec {
  repo?: string;
  number: number;
  sha: string;
}

/** A pull_request webhook of an owner's same-repository PR to master, not a draft, no labels; `edit` changes the rest. */
export function pullRequestEvent(action: string, pr: PullEventSpec, edit: (p: Record<string, any>) => void = () => {}): Record<string, any> {
  const repo = pr.repo ?? TEST_REPO;
  const p = examplePayload('pull_request', action);
  p.number = pr.number;
  p.repository.full_name = repo;
  p.repository.clone_url = `https://github.com/${repo}.git`;
  p.pull_request.number = pr.number;
  p.pull_request.head.sha = pr.sha;
  p.pull_request.head.repo.full_name = repo;
  p.pull_request.base.ref = 'master';
  p.pull_request.draft = false;
  p.pull_request.labels = [];
  p.pull_request.user.login = 'octocat';
  p.pull_request.author_association = 'OWNER';
  edit(p);
  return p;
}

/** A pull_request.labeled webhook: `label` just added, and the PR's only label. */
export function labeledEvent(pr: PullEventSpec, label: string): Record<string, any> {
  return pullRequestEvent('labeled', pr, (p) => {
    p.label = { ...p.label, name: label };
    p.pull_request.labels = [{ ...p.label }];
  });
}

/** An issue_comment.created webhook on pull request `number`. */
export function pullCommentEvent(number: number, body: string, author: string, association = 'MEMBER', repo = TEST_REPO): Record<string, any> {
  const p = examplePayload('issue_comment', 'created');
  p.repository.full_name = repo;
  p.issue.number = number;
  p.issue.pull_request = { url: `https://api.github.com/repos/${repo}/pulls/${number}` };
  p.comment.body = body;
  p.comment.user.login = author;
  p.comment.author_association = association;
  return p;
}
