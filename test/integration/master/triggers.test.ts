// Each trigger rule, with real payloads from @octokit/webhooks-examples adjusted per case, through
// the real webhook route and change processor.
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config.js';
import { startTestMaster, type TestMaster } from '../../support/test-master.js';
import { TEST_REPO } from '../../support/test-config.js';
import { examplePayload } from '../../support/sign-webhook.js';

type Builds = { builds: Array<{ builder: string; state: string; result: string | null; result_reason: string | null; sha: string; reason: string }> };
const step = [{ name: 'test', run: 'true' }];

function pr(action = 'opened', edit: (p: Record<string, any>) => void = () => {}) {
  const p = examplePayload('pull_request', action);
  p.repository.full_name = TEST_REPO;
  p.pull_request.head.repo.full_name = TEST_REPO;
  p.pull_request.base.ref = 'master';
  p.pull_request.draft = false;
  p.pull_request.labels = [];
  edit(p);
  return p;
}

describe('triggers', () => {
  let master: TestMaster | undefined;
  afterEach(async () => {
    await master?.stop();
    master = undefined;
  });
  async function run(builders: ConfigInput['builders'], ...events: Array<[string, unknown]>) {
    master = await startTestMaster({ builders });
    for (const [event, payload] of events) await master.send(event, payload);
    const { builds } = await master.get<Builds>('/api/v2/builds?order=id');
    return builds;
  }

  it('runs builders on the PR actions they list, and not on others', async () => {
    const builds = await run(
      [
        { name: 'all', steps: step },
        { name: 'opened-only', triggers: { pullRequest: { actions: ['opened'] } }, steps: step },
      ],
      ['pull_request', pr('synchronize')],
    );
    expect(builds.map((b) => b.builder)).toEqual(['all']);
  });

  it('filters on base branch globs', async () => {
    const builds = await run(
      [
        { name: 'main-only', triggers: { pullRequest: { branches: ['main'] } }, steps: step },
        { name: 'stable', triggers: { pullRequest: { branches: ['stable/*', 'master'] } }, steps: step },
      ],
      ['pull_request', pr('opened', (p) => (p.pull_request.base.ref = 'stable/2.1'))],
    );
    expect(builds.map((b) => b.builder)).toEqual(['stable']);
  });

  it('skips on a skip string in the title, and records why', async () => {
    const builds = await run([{ name: 'unit', steps: step }], ['pull_request', pr('opened', (p) => (p.pull_request.title = 'Fix typo [CI:DOCS]'))]);
    expect(builds).toMatchObject([{ builder: 'unit', state: 'finished', result: 'skipped', result_reason: 'skipped: [CI:DOCS] in the title' }]);
  });

  it('honours configured skip strings instead of the defaults', async () => {
    const builds = await run(
      [{ name: 'unit', triggers: { skipTitle: ['[no-ci]'] }, steps: step }],
      ['pull_request', pr('opened', (p) => (p.pull_request.title = 'Docs [CI:DOCS]'))],
      ['pull_request', pr('synchronize', (p) => { p.pull_request.title = 'More [no-ci]'; p.pull_request.head.sha = 'b'.repeat(40); })],
    );
    expect(builds.map((b) => b.result)).toEqual(['cancelled', 'skipped']);
  });

  it('skips a builder whose no_<builder> label is on the PR, and only that one', async () => {
    const builds = await run(
      [{ name: 'lvm', steps: step }, { name: 'ceph', steps: step }],
      ['pull_request', pr('opened', (p) => (p.pull_request.labels = [{ name: 'no_ceph' }]))],
    );
    expect(builds.map((b) => [b.builder, b.result])).toEqual([['lvm', null], ['ceph', 'skipped']]);
    expect(builds[1]?.result_reason).toBe('skipped: label no_ceph');
  });

  it('skips draft PRs unless the builder builds drafts', async () => {
    const builds = await run(
      [{ name: 'default', steps: step }, { name: 'drafts', triggers: { pullRequest: { drafts: true } }, steps: step }],
      ['pull_request', pr('opened', (p) => (p.pull_request.draft = true))],
    );
    expect(builds.map((b) => [b.builder, b.result])).toEqual([['default', 'skipped'], ['drafts', null]]);
  });

  it('runs on labeled only for the label that asks for a run', async () => {
    const builders = [{ name: 'gated', triggers: { label: 'run-ci' }, steps: step }];
    const other = await run(builders, ['pull_request', pr('labeled', (p) => (p.label = { name: 'bug' }))]);
    expect(other).toEqual([]);
    await master?.stop();
    const asked = await run(builders, ['pull_request', pr('labeled', (p) => (p.label = { name: 'run-ci' }))]);
    expect(asked.map((b) => b.builder)).toEqual(['gated']);
  });

  it('runs push builders on matching branches and tags only', async () => {
    const push = (ref: string) => {
      const p = examplePayload('push');
      p.repository.full_name = TEST_REPO;
      p.ref = ref;
      p.after = 'c'.repeat(40);
      p.deleted = false;
      p.head_commit = { ...(p.head_commit ?? {}), message: 'release' };
      return p;
    };
    const builds = await run(
      [
        { name: 'pr-only', steps: step },
        { name: 'release', triggers: { pullRequest: false, push: { branches: ['main'], tags: ['v*'] } }, steps: step },
      ],
      ['push', push('refs/heads/main')],
      ['push', push('refs/heads/feature')],
      ['push', push('refs/tags/v1.2')],
    );
    expect(builds.map((b) => [b.builder, b.reason])).toEqual([['release', 'push to main'], ['release', 'push to v1.2']]);
  });

  it('filters pushes by the files their commits touched', async () => {
    const push = (files: string[]) => {
      const p = examplePayload('push');
      p.repository.full_name = TEST_REPO;
      p.ref = 'refs/heads/main';
      p.after = 'd'.repeat(40);
      p.commits = [{ ...(p.commits?.[0] ?? {}), added: [], removed: [], modified: files }];
      p.head_commit = { message: 'change' };
      return p;
    };
    const builds = await run(
      [{ name: 'env', triggers: { pullRequest: false, push: { branches: ['main'] }, paths: ['env/env.list'] }, steps: step }],
      ['push', push(['README.md'])],
      ['push', push(['env/env.list'])],
    );
    expect(builds.map((b) => b.result)).toEqual(['skipped', null]);
    expect(builds[0]?.result_reason).toBe('skipped: no changed file matches env/env.list');
  });

  it('a new head sha supersedes the queued build for the same PR and builder, not other PRs', async () => {
    const builds = await run(
      [{ name: 'unit', steps: step }],
      ['pull_request', pr('opened')],
      ['pull_request', pr('opened', (p) => { p.number = 7; p.pull_request.number = 7; })],
      ['pull_request', pr('synchronize', (p) => (p.pull_request.head.sha = 'e'.repeat(40)))],
    );
    expect(builds.map((b) => [b.state, b.result, b.result_reason])).toEqual([
      ['finished', 'cancelled', 'superseded by eeeeeee'],
      ['queued', null, null],
      ['queued', null, null],
    ]);
  });

  it('does not queue twice for the same head (e.g. reopened after opened)', async () => {
    const builds = await run([{ name: 'unit', steps: step }], ['pull_request', pr('opened')], ['pull_request', pr('reopened')]);
    expect(builds).toHaveLength(1);
  });

  it('a fork PR by an untrusted author waits for approval', async () => {
    const builds = await run(
      [{ name: 'unit', steps: step }],
      ['pull_request', pr('opened', (p) => { p.pull_request.head.repo.full_name = 'stranger/Hello-World'; p.pull_request.author_association = 'CONTRIBUTOR'; })],
    );
    expect(builds).toHaveLength(1);
    const { buildrequests } = await (master as TestMaster).get<{ buildrequests: Array<{ state: string }> }>('/api/v2/buildrequests');
    expect(buildrequests).toMatchObject([{ state: 'awaiting-approval' }]);
  });

  it('a fork PR by a MEMBER, or a listed user, builds at once', async () => {
    master = await startTestMaster({ builders: [{ name: 'unit', steps: step }], github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, trusted: { users: ['friendly'] } } });
    await master.send('pull_request', pr('opened', (p) => { p.pull_request.head.repo.full_name = 'a/b'; p.pull_request.author_association = 'MEMBER'; }));
    await master.send('pull_request', pr('opened', (p) => { p.number = 9; p.pull_request.head.repo.full_name = 'c/d'; p.pull_request.author_association = 'NONE'; p.pull_request.user.login = 'Friendly'; }));
    const { buildrequests } = await master.get<{ buildrequests: Array<{ state: string }> }>('/api/v2/buildrequests');
    expect(buildrequests.map((r) => r.state)).toEqual(['queued', 'queued']);
  });

  it('the trust gate can be turned off', async () => {
    master = await startTestMaster({ builders: [{ name: 'unit', steps: step }], github: { repo: TEST_REPO, webhookSecret: { env: 'GH_WEBHOOK_SECRET' }, trustGate: false } });
    await master.send('pull_request', pr('opened', (p) => { p.pull_request.head.repo.full_name = 'x/y'; p.pull_request.author_association = 'NONE'; }));
    const { buildrequests } = await master.get<{ buildrequests: Array<{ state: string }> }>('/api/v2/buildrequests');
    expect(buildrequests.map((r) => r.state)).toEqual(['queued']);
  });
});
