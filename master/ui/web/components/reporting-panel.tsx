// What a build reported: its logs branch publication (with the last error, such as the remote's
// own words when it refused the push) and its commit statuses, each sent, waiting, given up, or
// not sent because a newer state of the same commit and context went instead.
import type { ApiBuildReporting, ApiBuildStatus, ApiLogsPublication } from '../../../api/schemas';

function statusOutcome(s: ApiBuildStatus): { word: string; glyph: string; cls: string } {
  switch (s.state) {
    case 'sent':
      return { word: 'sent', glyph: '✓', cls: '' };
    case 'superseded':
      return { word: 'not sent: superseded by a newer state', glyph: '⤼', cls: 'muted' };
    case 'failed':
      return { word: 'given up', glyph: '✗', cls: 'warn' };
    case 'pending':
      return { word: s.attempts > 0 ? `waiting to retry (attempt ${s.attempts})` : 'waiting to be sent', glyph: '…', cls: s.attempts > 0 ? 'warn' : 'muted' };
  }
}

function LogsLine({ logs }: { logs: ApiLogsPublication }) {
  const done = logs.published === logs.wanted;
  const what = logs.wanted === 'finished' ? 'the build folder' : 'the placeholder';
  return (
    <p class={done ? '' : logs.last_error ? 'warn' : 'muted'}>
      Logs branch: {done ? `✓ ${what} published` : `… ${what} not published yet${logs.attempts > 0 ? ` (attempt ${logs.attempts})` : ''}`}
      {!done && logs.last_error ? <span class="reporting-error">: {logs.last_error}</span> : null}
    </p>
  );
}

export function ReportingPanel({ reporting: r }: { reporting: ApiBuildReporting }) {
  if (r.statuses.length === 0 && !r.logs) return null;
  return (
    <section class="reporting" aria-labelledby="reporting-title">
      <h2 id="reporting-title">Reporting</h2>
      {r.logs ? <LogsLine logs={r.logs} /> : null}
      {r.statuses.length > 0 ? (
        <ul class="reporting-statuses">
          {r.statuses.map((s) => {
            const o = statusOutcome(s);
            return (
              <li key={s.transition}>
                <code>{s.context}</code> {s.github_state}: {s.description}{' '}
                <span class={`small ${o.cls}`}>
                  {o.glyph} {o.word}
                  {s.last_error && s.state !== 'sent' ? ` (${s.last_error})` : ''}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
