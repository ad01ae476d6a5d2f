// Filters of a builder's history: status (a state or a result), repository (when the master serves
// several) and PR number. They live in the hash, so a filtered view can be linked and Back undoes a filter.
import { useEffect, useState } from 'preact/hooks';
import { useInfo } from '../lib/info-context';

export const STATUSES = ['running', 'queued', 'success', 'failure', 'error', 'cancelled', 'skipped'] as const;

export interface HistoryFilter {
  status: string;
  pr: string;
  repo: string;
}

export function HistoryFilters({ value, onChange }: { value: HistoryFilter; onChange(next: HistoryFilter): void }) {
  const info = useInfo();
  const [pr, setPr] = useState(value.pr);
  useEffect(() => setPr(value.pr), [value.pr]);
  const filtered = value.status !== '' || value.pr !== '' || value.repo !== '';
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter builds"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ ...value, pr: pr.replace(/^#/, '').trim() });
      }}
    >
      <label>
        Status
        <select value={value.status} onChange={(e) => onChange({ ...value, status: e.currentTarget.value })}>
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {info.repos.length > 1 ? (
        <label>
          Repository
          <select value={value.repo} onChange={(e) => onChange({ ...value, repo: e.currentTarget.value })}>
            <option value="">any</option>
            {info.repos.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        PR
        <input type="text" inputMode="numeric" pattern="#?[0-9]*" size={6} placeholder="number" value={pr} onInput={(e) => setPr(e.currentTarget.value)} />
      </label>
      <button type="submit">Apply</button>
      {filtered ? (
        <button type="button" class="link-button" onClick={() => onChange({ status: '', pr: '', repo: '' })}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
