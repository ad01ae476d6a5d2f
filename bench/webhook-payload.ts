import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { BENCH_REPO } from './bench-config.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, any>> }>;
const opened = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'opened') as Record<string, any>;

/** A signed pull_request.opened for PR `n`, ready to POST. */
export function signedPullRequest(n: number, secret: string, sha = n.toString(16).padStart(40, '0')): { body: string; headers: Record<string, string> } {
  const p = structuredClone(opened);
  p.number = n;
  p.repository.full_name = BENCH_REPO;
  p.pull_request.head.repo.full_name = BENCH_REPO;
  p.pull_request.head.sha = sha;
  const body = JSON.stringify(p);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}
