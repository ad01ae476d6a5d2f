// Loads a step's log into a LogBuffer and, while the step runs, follows it over the live tail
// (GET …/log/live?from=OFFSET, SSE). Big logs load only their last MiB; the download link has all.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiStep } from '../../../api/schemas';
import { logUrl } from './api';
import { LogBuffer } from './log-buffer';

export const INITIAL_MAX_BYTES = 1024 * 1024;

export interface StepLog {
  buffer: LogBuffer;
  /** Bumped on every change of the buffer (it is mutated in place). */
  version: number;
  status: 'loading' | 'live' | 'done' | 'error';
  error: string | null;
  /** Bytes at the start not loaded (a big log shows its tail). */
  skippedBytes: number;
}

const utf8 = new TextEncoder();

export function useStepLog(buildId: number, step: ApiStep): StepLog {
  const [log, setLog] = useState<StepLog>(() => ({ buffer: new LogBuffer(), version: 0, status: 'loading', error: null, skippedBytes: 0 }));
  // The state when the view opened decides fetch-or-follow; later changes arrive through the tail.
  const initial = useRef(step);

  useEffect(() => {
    const buffer = new LogBuffer();
    let version = 0;
    let closed = false;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const update = (patch: Partial<StepLog>): void => {
      if (!closed) setLog((l) => ({ ...l, buffer, version, ...patch }));
    };
    const { log_bytes: size, state } = initial.current;

    function follow(from: number, dropFirstLine: boolean): void {
      let offset = from;
      let dropping = dropFirstLine;
      source = new EventSource(`${logUrl(buildId, step.step)}/live?from=${offset}`);
      source.addEventListener('log', (e) => {
        const { offset: at, text } = JSON.parse((e as MessageEvent<string>).data) as { offset: number; text: string };
        if (at < offset) return; // already have it (a resent chunk)
        offset = at + utf8.encode(text).length;
        let t = text;
        if (dropping) {
          const nl = t.indexOf('\n');
          if (nl < 0) return;
          t = t.slice(nl + 1);
          dropping = false;
        }
        if (buffer.append(t)) version++;
        update({ status: 'live' });
      });
      source.addEventListener('end', () => {
        source?.close();
        update({ status: 'done' });
      });
      source.onopen = () => update({ status: 'live' });
      source.onerror = () => {
        // Reopen from where we are (EventSource's own retry would start again at the first offset).
        source?.close();
        if (closed) return;
        clearTimeout(retry);
        retry = setTimeout(() => follow(offset, dropping), 1000);
      };
    }

    async function load(): Promise<void> {
      const from = Math.max(0, size - INITIAL_MAX_BYTES);
      if (state !== 'finished') {
        update({ skippedBytes: from });
        return follow(from, from > 0);
      }
      if (size === 0) return update({ status: 'done' });
      try {
        const res = await fetch(logUrl(buildId, step.step), { headers: from > 0 ? { range: `bytes=${from}-` } : {} });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        let text = await res.text();
        if (from > 0) text = text.slice(text.indexOf('\n') + 1);
        if (buffer.append(text)) version++;
        update({ status: 'done', skippedBytes: from });
      } catch (error) {
        update({ status: 'error', error: `could not load the log: ${(error as Error).message}` });
      }
    }

    setLog({ buffer, version, status: 'loading', error: null, skippedBytes: 0 });
    void load();
    return () => {
      closed = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [buildId, step.step]);

  return log;
}
