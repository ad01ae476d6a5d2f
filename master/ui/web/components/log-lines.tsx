// The log's lines in a scroll box, rendering only the lines in view (logs reach 100,000s of
// lines). Lines have one fixed height and do not wrap; the box scrolls sideways, with the line
// numbers kept in view.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LogLine as Line } from '../lib/log-buffer';
import { LogLine } from './log-line';

export const LINE_PX = 20;
const OVERSCAN = 30;

export interface LogLinesProps {
  lines: Line[];
  version: number;
  /** Number of the first line held (after lines dropped at the start). */
  firstNumber: number;
  widest: number;
  query: string;
  /** Index of the current search match, scrolled into view when it changes. */
  current: number | null;
  follow: boolean;
  /** The user scrolled: are they at the bottom now? */
  onScrolled(atBottom: boolean): void;
  live: boolean;
  /** Open at the last line (a failed step: its end says why). */
  startAtEnd: boolean;
  label: string;
  /** Index of a deep-linked line: scrolled to once it is loaded, and marked. */
  target: number | null;
  /** The address of line number n (its number links there). */
  lineHref(n: number): string;
}

export function LogLines(p: LogLinesProps) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const programmatic = useRef(false);
  const frame = useRef(0);

  // Follow: keep the newest line in view as lines arrive (and open a failed step at its end).
  const placed = useRef(false);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || p.lines.length === 0) return;
    const first = !placed.current;
    placed.current = true;
    if (!p.follow && !(first && p.startAtEnd)) return;
    programmatic.current = true;
    el.scrollTop = el.scrollHeight;
  }, [p.version, p.follow]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || p.current === null) return;
    const y = p.current * LINE_PX;
    if (y < el.scrollTop || y > el.scrollTop + el.clientHeight - LINE_PX) {
      programmatic.current = true;
      el.scrollTop = Math.max(0, y - el.clientHeight / 3);
    }
  }, [p.current]);

  // A deep link's line: once it is loaded, centred in the box and the page brought to the box.
  const reached = useRef(false);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || p.target === null || reached.current || p.target >= p.lines.length || p.target < 0) return;
    reached.current = true;
    programmatic.current = true;
    el.scrollTop = Math.max(0, p.target * LINE_PX - el.clientHeight / 2);
    el.scrollIntoView({ block: 'center' });
  }, [p.version, p.target]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setView({ top: el.scrollTop, height: el.clientHeight }));
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    p.onScrolled(el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_PX);
  };

  const first = Math.max(0, Math.floor(view.top / LINE_PX) - OVERSCAN);
  const last = Math.min(p.lines.length, Math.ceil((view.top + view.height) / LINE_PX) + OVERSCAN);
  const digits = String(p.firstNumber + p.lines.length).length;
  return (
    <div
      ref={box}
      class={`log-scroll${p.live ? ' tall' : ''}`}
      tabIndex={0}
      role="region"
      aria-label={p.label}
      onScroll={onScroll}
      style={{ '--ln-digits': digits } as Record<string, number>}
    >
      <div class="log-inner" style={{ height: `${p.lines.length * LINE_PX}px`, minWidth: `calc(${p.widest + digits + 4}ch)` }}>
        <div class="log-window" style={{ transform: `translateY(${first * LINE_PX}px)` }}>
          {p.lines.slice(first, last).map((line, i) => (
            <LogLine key={first + i} line={line} number={p.firstNumber + first + i} query={p.query} current={p.current === first + i} targeted={p.target === first + i} href={p.lineHref(p.firstNumber + first + i)} />
          ))}
        </div>
      </div>
    </div>
  );
}
