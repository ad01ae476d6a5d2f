import { prUrl, useInfo } from '../lib/info-context';

/**
 * "#123" linking to the pull request on GitHub, with its title and author when known, or "—" for
 * builds of a push.
 */
export function PrLink({ repo, pr, title, author }: { repo: string | null; pr: number | null; title?: string | null; author?: string | null }) {
  const info = useInfo();
  if (pr === null || repo === null) return <span class="muted">—</span>;
  return (
    <span class="pr" title={title ? `#${pr} ${title}${author ? ` by ${author}` : ''}` : undefined}>
      <a href={prUrl(info, repo, pr)} target="_blank" rel="noopener noreferrer">
        #{pr}
      </a>
      {title ? <span class="pr-title"> {title}</span> : null}
      {author ? <span class="muted pr-author"> by {author}</span> : null}
    </span>
  );
}
