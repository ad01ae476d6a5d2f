import { describe, expect, it } from 'vitest';
import { builderNotice, builderTransition } from '../../../master/notifications/builder-transitions.js';
import { coalesce, type Notice } from '../../../master/notifications/notice.js';
import type { BuildRow } from '../../../master/store/build-store.js';

describe('builder transitions', () => {
  it.each([
    [undefined, 'success', undefined],
    [undefined, 'failure', 'failing'],
    [undefined, 'error', 'error'],
    ['success', 'success', undefined],
    ['success', 'failure', 'failing'],
    ['failure', 'failure', undefined],
    ['failure', 'success', 'fixed'],
    ['error', 'success', 'fixed'],
    ['failure', 'error', 'error'],
    ['error', 'error', undefined],
    ['error', 'failure', 'failing'],
    ['success', 'cancelled', undefined],
    ['success', 'skipped', undefined],
    ['cancelled', 'failure', 'failing'],
  ] as const)('%s then %s: %s', (previous, current, expected) => {
    expect(builderTransition(previous, current)).toBe(expected);
  });

  it('says which build, change and commit, and links it, without the pull request title or author', () => {
    const build = { id: 40, builder: 'lvm', number: 12, repo: 'o/r', pr: 7, sha: 'abcdef1234567890', ref: null, result: 'failure', result_reason: 'step "tempest" failed', finished_at: 5, created_at: 1, pr_title: 'Secret plans', pr_author: 'mallory' } as BuildRow;
    const notice = builderNotice('failing', build, 'https://ci/#/builds/40');
    expect(notice).toEqual({ kind: 'failing', title: 'lvm is failing (build #12, pull request #7)', detail: 'o/r at abcdef123456\nstep "tempest" failed', link: 'https://ci/#/builds/40', builder: 'lvm', at: 5 });
    expect(builderNotice('fixed', { ...build, pr: null, ref: 'refs/heads/main', result_reason: null }, undefined).title).toBe('lvm passes again (build #12, branch main)');
  });

  it('coalesces notices into one that says where things stand and lists what came before', () => {
    const n = (kind: Notice['kind'], title: string, at: number): Notice => ({ kind, title, at, link: `https://ci/${at}` });
    const one = coalesce([n('failing', 'lvm is failing', 0)]);
    expect(one.title).toBe('lvm is failing');
    const three = coalesce([n('failing', 'lvm is failing', 0), n('fixed', 'lvm passes again', 1000), n('failing', 'lvm is failing', 2000)]);
    expect(three).toMatchObject({ kind: 'failing', title: 'lvm is failing (3 changes)', link: 'https://ci/2000' });
    expect(three.detail).toBe([
      '2 earlier changes since the last message:',
      '- 1970-01-01T00:00:00.000Z lvm is failing https://ci/0',
      '- 1970-01-01T00:00:01.000Z lvm passes again https://ci/1000',
    ].join('\n'));
  });
});
