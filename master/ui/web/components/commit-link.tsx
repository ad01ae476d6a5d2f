import { commitUrl, useInfo } from '../lib/info-context';
import { shortSha } from '../lib/format';

/** A short sha linking to the commit on GitHub. */
export function CommitLink({ repo, sha }: { repo: string | null; sha: string | null }) {
  const info = useInfo();
  if (!sha || !repo) return <span class="muted">—</span>;
  return (
    <a class="mono" href={commitUrl(info, repo, sha)} target="_blank" rel="noopener noreferrer" title={sha}>
      {shortSha(sha)}
    </a>
  );
}
