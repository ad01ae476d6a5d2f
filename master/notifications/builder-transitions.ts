// When a builder's verdict changes, someone should hear of it; when it stays the same, nobody
// needs another message. A verdict is a build's success, failure or error (cancelled and skipped
// builds say nothing of the builder). Transitions are per builder, across pull requests and
// branches: a storage backend that dies fails every build, whichever change it tests.
import type { BuildRow } from '../store/build-store.js';
import type { Notice, NoticeKind } from './notice.js';

type Verdict = 'success' | 'failure' | 'error';
const isVerdict = (result: BuildRow['result'] | undefined): result is Verdict => result === 'success' || result === 'failure' || result === 'error';

/** The transition a finished build makes after the builder's previous verdict, if any. */
export function builderTransition(previous: BuildRow['result'] | undefined, current: BuildRow['result']): NoticeKind | undefined {
  if (!isVerdict(current)) return undefined;
  const before = isVerdict(previous) ? previous : undefined;
  if (current === before) return undefined;
  if (current === 'success') return before === undefined ? undefined : 'fixed';
  return current === 'failure' ? 'failing' : 'error';
}

const WORDS: Partial<Record<NoticeKind, string>> = { failing: 'is failing', fixed: 'passes again', error: 'ended in error' };

/** The notice of a build's transition; `link` is where the build can be read. */
export function builderNotice(kind: NoticeKind, build: BuildRow, link: string | undefined): Notice {
  const what = build.pr !== null ? `pull request #${build.pr}` : build.ref ? build.ref.replace(/^refs\/heads\//, 'branch ') : 'a build';
  const sha = build.sha ? ` at ${build.sha.slice(0, 12)}` : '';
  return {
    kind,
    title: `${build.builder} ${WORDS[kind] ?? kind} (build #${build.number}, ${what})`,
    detail: [`${build.repo}${sha}`, build.result_reason ?? undefined].filter(Boolean).join('\n'),
    ...(link ? { link } : {}),
    builder: build.builder,
    at: build.finished_at ?? build.created_at,
  };
}
