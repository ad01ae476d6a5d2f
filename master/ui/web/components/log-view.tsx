// A step's log: loaded (its tail, when big), followed live while the step runs, searchable.
import { useMemo, useRef, useState } from 'preact/hooks';
import type { ShownStep } from '../lib/merge-steps';
import { logUrl } from '../lib/api';
import { useStepLog } from '../lib/use-step-log';
import { LogLines } from './log-lines';
import { LogToolbar } from './log-toolbar';
import { href } from '../lib/router';

const KIB = 1024;

export function LogView({ buildId, step, targetLine }: { buildId: number; step: ShownStep; targetLine?: number }) {
  const log = useStepLog(buildId, step);
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(0);
  // A linked line is where the reader wants to be: no following the end.
  const [follow, setFollow] = useState(targetLine === undefined);
  const needle = query.trim().toLowerCase();
  const lines = log.buffer.lines;
  const matches = useMemo(() => {
    if (needle === '') return [];
    const found: number[] = [];
    lines.forEach((l, i) => l.plain.toLowerCase().includes(needle) && found.push(i));
    return found;
  }, [needle, log.version, log.buffer]);
  const current = matches.length > 0 ? (matches[Math.min(cursor, matches.length - 1)] ?? null) : null;
  const live = log.status === 'live' || (log.status === 'loading' && step.state !== 'finished');
  // A log box that was live keeps its fixed height after the step ends: nothing below it jumps.
  const wasLive = useRef(false);
  wasLive.current ||= live;

  return (
    <div class="log">
      <LogToolbar
        query={query}
        onQuery={(q) => {
          setQuery(q);
          setCursor(0);
          if (q !== '') setFollow(false);
        }}
        matches={matches.length}
        current={matches.length > 0 ? Math.min(cursor, matches.length - 1) : null}
        onStep={(d) => matches.length > 0 && setCursor((c) => (Math.min(c, matches.length - 1) + d + matches.length) % matches.length)}
        live={live}
        follow={follow}
        onFollow={setFollow}
        downloadHref={logUrl(buildId, step.step)}
        downloadName={`build-${buildId}-step-${step.step}-${step.name}.log`}
        stepName={step.name}
      />
      {log.skippedBytes > 0 ? (
        <p class="log-note">
          Showing the end of a big log ({Math.round(log.skippedBytes / KIB).toLocaleString()} KiB before it not loaded). Download has it all.
        </p>
      ) : null}
      {log.error ? <p class="log-note error-text">{log.error}</p> : null}
      {lines.length === 0 && log.status !== 'live' && !live ? (
        <p class="log-note">{log.status === 'loading' ? 'Loading…' : 'This step wrote nothing.'}</p>
      ) : (
        <LogLines
          lines={lines}
          version={log.version}
          firstNumber={log.buffer.dropped + 1}
          widest={log.buffer.widest}
          query={needle}
          current={current}
          follow={live && follow && needle === ''}
          onScrolled={(atBottom) => live && setFollow(atBottom)}
          live={wasLive.current}
          startAtEnd={targetLine === undefined && (step.result === 'failure' || step.result === 'error')}
          target={targetLine !== undefined ? targetLine - (log.buffer.dropped + 1) : null}
          lineHref={(n) => href.step(buildId, step.step, n)}
          label={`Log of step ${step.name}`}
        />
      )}
    </div>
  );
}
