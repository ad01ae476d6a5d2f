import { prUrl, useInfo } from '../lib/info-context';

/** "#123" linking to the pull request on GitHub, or "—" for builds of a push. */
export function PrLink({ repo, pr }: { repo: string | null; pr: number | null }) {
  const info = useInfo();
  if (pr === null || repo === null) return <span class="muted">—</span>;
  return (
    <a href={prUrl(info, repo, pr)} target="_blank" rel="noopener noreferrer">
      #{pr}
    </a>
  );
}
