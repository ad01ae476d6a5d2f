// One log line: its ANSI colours, or, when it matches the search, its plain text with the matches
// marked. Text only: a log can never inject markup.
import type { CSSProperties, JSX } from 'preact';
import type { Segment } from '../lib/ansi';
import type { LogLine as Line } from '../lib/log-buffer';

function segmentProps(s: Segment): { class?: string; style?: CSSProperties } {
  const fg = s.inverse ? (s.bg ?? 'inv-fg') : s.fg;
  const bg = s.inverse ? (s.fg ?? 'inv-bg') : s.bg;
  const classes: string[] = [];
  const style: CSSProperties = {};
  if (fg) {
    if (fg.startsWith('rgb')) style.color = fg;
    else classes.push(fg === 'inv-fg' ? 'fg-inv' : `fg-${fg}`);
  }
  if (bg) {
    if (bg.startsWith('rgb')) style.backgroundColor = bg;
    else classes.push(bg === 'inv-bg' ? 'bg-inv' : `bg-${bg}`);
  }
  if (s.bold) classes.push('a-b');
  if (s.dim) classes.push('a-d');
  if (s.italic) classes.push('a-i');
  if (s.underline) classes.push('a-u');
  return { class: classes.length ? classes.join(' ') : undefined, style: Object.keys(style).length ? style : undefined };
}

function marked(text: string, query: string) {
  const parts: Array<string | JSX.Element> = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(query, at); i >= 0 && query !== ''; i = lower.indexOf(query, at)) {
    parts.push(text.slice(at, i), <mark key={i}>{text.slice(i, i + query.length)}</mark>);
    at = i + query.length;
  }
  parts.push(text.slice(at));
  return parts;
}

export function LogLine({ line, number, query, current, targeted, href }: { line: Line; number: number; query: string; current: boolean; targeted: boolean; href: string }) {
  const match = query !== '' && line.plain.toLowerCase().includes(query);
  return (
    <div class={`ll${match ? ' match' : ''}${current ? ' current' : ''}${targeted ? ' target' : ''}`} data-line={number}>
      {/* The number links to this line (an address to share); out of the tab order, as there are thousands. */}
      <a class="ln" href={href} tabIndex={-1} aria-hidden="true">
        {number}
      </a>
      <span class="lt">
        {match
          ? marked(line.plain, query)
          : line.segments.map((s, i) => {
              const p = segmentProps(s);
              return p.class || p.style ? (
                <span key={i} class={p.class} style={p.style}>
                  {s.text}
                </span>
              ) : (
                s.text
              );
            })}
      </span>
    </div>
  );
}
