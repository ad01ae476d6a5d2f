// ANSI escape sequences in build logs → styled segments. SGR (`ESC[…m`) sets colours and weight:
// the 16 basic colours become classes (the palette lives in log.css, readable on the dark log
// background), 256-colour and 24-bit ones inline colours. Other control sequences (cursor moves,
// line erase, OSC titles) are dropped. Pure functions: no DOM.

export interface SgrState {
  /** `c1` (a palette class) or `#rrggbb`/`rgb()` (inline), or null for the default. */
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

export interface Segment extends SgrState {
  text: string;
}

export const PLAIN: SgrState = Object.freeze({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false });

// CSI … final byte, OSC … BEL/ST, and lone two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

const CUBE = [0, 95, 135, 175, 215, 255];
function color256(n: number): string | null {
  if (n < 0 || n > 255 || !Number.isInteger(n)) return null;
  if (n < 16) return `c${n}`;
  if (n < 232) {
    const i = n - 16;
    return `rgb(${CUBE[Math.floor(i / 36)]},${CUBE[Math.floor(i / 6) % 6]},${CUBE[i % 6]})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

/** Apply one SGR parameter list (`1;31`, `38;5;208`, ``) to a state. */
export function applySgr(state: SgrState, params: string): SgrState {
  const s: SgrState = { ...state };
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (c === 0) Object.assign(s, PLAIN);
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) s.bold = s.dim = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c === 27) s.inverse = false;
    else if (c >= 30 && c <= 37) s.fg = `c${c - 30}`;
    else if (c >= 90 && c <= 97) s.fg = `c${c - 90 + 8}`;
    else if (c === 39) s.fg = null;
    else if (c >= 40 && c <= 47) s.bg = `c${c - 40}`;
    else if (c >= 100 && c <= 107) s.bg = `c${c - 100 + 8}`;
    else if (c === 49) s.bg = null;
    else if (c === 38 || c === 48) {
      const mode = codes[i + 1];
      let value: string | null = null;
      if (mode === 5) {
        value = color256(codes[i + 2] ?? -1);
        i += 2;
      } else if (mode === 2) {
        const [r, g, b] = [codes[i + 2], codes[i + 3], codes[i + 4]].map((v) => Math.min(255, Math.max(0, v ?? 0)));
        value = `rgb(${r},${g},${b})`;
        i += 4;
      } else break; // malformed: ignore the rest
      if (c === 38) s.fg = value;
      else s.bg = value;
    }
  }
  return s;
}

const same = (a: SgrState, b: SgrState) =>
  a.fg === b.fg && a.bg === b.bg && a.bold === b.bold && a.dim === b.dim && a.italic === b.italic && a.underline === b.underline && a.inverse === b.inverse;

/**
 * One line (no `\n`) → its segments, its plain text and the state after it. A carriage return
 * overwrites like a terminal does for progress bars: only what follows the last one is shown.
 */
export function parseLine(line: string, start: SgrState = PLAIN): { segments: Segment[]; plain: string; end: SgrState } {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = text.lastIndexOf('\r');
  let state = start;
  const segments: Segment[] = [];
  const push = (chunk: string, visible: boolean) => {
    if (!visible || chunk === '') return;
    const last = segments[segments.length - 1];
    if (last && same(last, state)) last.text += chunk;
    else segments.push({ ...state, text: chunk });
  };
  let at = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(text); m; m = ESCAPE.exec(text)) {
    push(text.slice(at, m.index), m.index > cr);
    if (m[2] === 'm' && m[1] !== undefined) state = applySgr(state, m[1]);
    at = m.index + m[0].length;
  }
  push(text.slice(at), text.length > cr);
  if (cr >= 0 && segments.length > 0) {
    // Drop the overwritten part of the first visible segment (it began before the last \r).
    const visibleFrom = text.slice(cr + 1).replace(ESCAPE, '');
    const joined = segments.map((s) => s.text).join('');
    let excess = joined.length - visibleFrom.length;
    while (excess > 0 && segments.length > 0) {
      const first = segments[0] as Segment;
      if (first.text.length <= excess) {
        excess -= first.text.length;
        segments.shift();
      } else {
        first.text = first.text.slice(excess);
        excess = 0;
      }
    }
  }
  // Remaining control characters (backspace, bell…) would show as boxes.
  // eslint-disable-next-line no-control-regex
  for (const s of segments) s.text = s.text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  return { segments: segments.filter((s) => s.text !== ''), plain: segments.map((s) => s.text).join(''), end: state };
}
