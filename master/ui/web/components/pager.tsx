// "21–40 of 10,000" with previous/next links (pages live in the hash, so Back works).

export interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  /** The link to the page starting at this offset. */
  hrefFor(offset: number): string;
  label: string;
  /** Link words (default: newest first lists). */
  prevText?: string;
  nextText?: string;
}

export function Pager({ offset, limit, total, hrefFor, label, prevText = '← Newer', nextText = 'Older →' }: PagerProps) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(total, offset + limit);
  const prev = offset > 0 ? hrefFor(Math.max(0, offset - limit)) : null;
  const next = offset + limit < total ? hrefFor(offset + limit) : null;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      {prev ? <a href={prev} rel="prev">{prevText}</a> : <span class="disabled" aria-hidden="true">{prevText}</span>}
      <span class="range">
        {first.toLocaleString()}–{last.toLocaleString()} of {total.toLocaleString()}
      </span>
      {next ? <a href={next} rel="next">{nextText}</a> : <span class="disabled" aria-hidden="true">{nextText}</span>}
    </nav>
  );
}
