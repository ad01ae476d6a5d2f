// Above a log: search (Enter for the next match, Shift+Enter for the previous), follow while the
// step runs, and the download link for the whole raw log.

export interface LogToolbarProps {
  query: string;
  onQuery(q: string): void;
  matches: number;
  current: number | null;
  onStep(delta: 1 | -1): void;
  live: boolean;
  follow: boolean;
  onFollow(on: boolean): void;
  downloadHref: string;
  downloadName: string;
  stepName: string;
}

export function LogToolbar(p: LogToolbarProps) {
  const counter = p.query === '' ? '' : p.matches === 0 ? 'no match' : `${(p.current ?? 0) + 1} of ${p.matches}`;
  return (
    <div class="log-toolbar">
      <label class="log-search">
        <span class="sr-only">Search the log of {p.stepName}</span>
        <input
          type="search"
          placeholder="Search log"
          value={p.query}
          onInput={(e) => p.onQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              p.onStep(e.shiftKey ? -1 : 1);
            }
          }}
        />
      </label>
      <span class="log-count num" aria-live="polite">
        {counter}
      </span>
      <button type="button" class="icon" onClick={() => p.onStep(-1)} disabled={p.matches === 0} aria-label="Previous match">
        ↑
      </button>
      <button type="button" class="icon" onClick={() => p.onStep(1)} disabled={p.matches === 0} aria-label="Next match">
        ↓
      </button>
      {p.live ? (
        <label class="follow">
          <input type="checkbox" checked={p.follow} onChange={(e) => p.onFollow(e.currentTarget.checked)} /> Follow
        </label>
      ) : null}
      <a class="download" href={p.downloadHref} download={p.downloadName}>
        Download
      </a>
    </div>
  );
}
