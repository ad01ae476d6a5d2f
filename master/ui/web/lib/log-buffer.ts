// A step's log as lines, built from text chunks that may end mid-line (a live tail). Each line is
// parsed for ANSI colours once, carrying the colour state across lines like a terminal.
import { parseLine, PLAIN, type Segment, type SgrState } from './ansi.js'; // with .js: node tests import this file too

export interface LogLine {
  segments: Segment[];
  /** The text without escapes: what search looks at. */
  plain: string;
}

/** More lines than this and the oldest are dropped (the download link has them all). */
export const MAX_LINES = 200_000;

export class LogBuffer {
  readonly lines: LogLine[] = [];
  /** Lines dropped from the start (for line numbers). */
  dropped = 0;
  /** The longest line's length, for a stable horizontal scroll width. */
  widest = 0;
  private open = '';
  private openStart: SgrState = PLAIN;

  /** Append text; returns whether lines changed. */
  append(text: string): boolean {
    if (text === '') return false;
    if (this.open !== '') this.lines.pop();
    const parts = (this.open + text).split('\n');
    this.open = parts.pop() ?? '';
    let state = this.openStart;
    for (const part of parts) state = this.push(part, state);
    this.openStart = state;
    if (this.open !== '') this.push(this.open, state);
    if (this.lines.length > MAX_LINES) {
      const cut = this.lines.length - MAX_LINES;
      this.lines.splice(0, cut);
      this.dropped += cut;
    }
    return true;
  }

  private push(raw: string, state: SgrState): SgrState {
    const { segments, plain, end } = parseLine(raw, state);
    this.lines.push({ segments, plain });
    if (plain.length > this.widest) this.widest = plain.length;
    return end;
  }
}
