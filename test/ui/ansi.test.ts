// The log view's pure parts: ANSI escapes to segments, and chunked text to numbered lines.
import { describe, expect, it } from 'vitest';
import { applySgr, parseLine, PLAIN } from '../../master/ui/web/lib/ansi.js';
import { LogBuffer } from '../../master/ui/web/lib/log-buffer.js';

const texts = (line: string) => parseLine(line).segments.map((s) => [s.text, s.fg, s.bold]);

describe('ANSI parsing', () => {
  it('turns SGR colours and weight into segments, and reset ends them', () => {
    expect(texts('\x1b[1;31mFAIL\x1b[0m test_x')).toEqual([['FAIL', 'c1', true], [' test_x', null, false]]);
    expect(texts('\x1b[92mok\x1b[39m')).toEqual([['ok', 'c10', false]]);
    expect(parseLine('plain').plain).toBe('plain');
  });

  it('reads 256-colour and 24-bit colours as inline colours', () => {
    expect(applySgr(PLAIN, '38;5;208').fg).toBe('rgb(255,135,0)');
    expect(applySgr(PLAIN, '38;5;9').fg).toBe('c9');
    expect(applySgr(PLAIN, '48;2;10;20;30').bg).toBe('rgb(10,20,30)');
    expect(applySgr(PLAIN, '38;5;244').fg).toBe('rgb(128,128,128)');
  });

  it('drops other control sequences and characters', () => {
    expect(parseLine('\x1b[2K\x1b[1Gdownloading\x07 \x1b]0;title\x07done\x08').plain).toBe('downloading done');
  });

  it('keeps only what follows the last carriage return, like a terminal', () => {
    expect(parseLine('10%\r50%\r100% done').plain).toBe('100% done');
    expect(parseLine('line with CRLF\r').plain).toBe('line with CRLF');
    expect(texts('\x1b[32m10%\r\x1b[1m100%')).toEqual([['100%', 'c2', true]]);
  });

  it('carries the colour state across lines', () => {
    const first = parseLine('\x1b[33mwarning: start');
    const second = parseLine('still yellow\x1b[0m', first.end);
    expect(second.segments[0]?.fg).toBe('c3');
    expect(second.end).toEqual(PLAIN);
  });
});

describe('LogBuffer', () => {
  it('joins chunks that end mid-line and tracks the widest line', () => {
    const b = new LogBuffer();
    b.append('one\ntw');
    expect(b.lines.map((l) => l.plain)).toEqual(['one', 'tw']);
    b.append('o\nthree is longest\n');
    expect(b.lines.map((l) => l.plain)).toEqual(['one', 'two', 'three is longest']);
    expect(b.widest).toBe(16);
  });

  it('keeps colour open across a chunk boundary', () => {
    const b = new LogBuffer();
    b.append('\x1b[31mred ');
    b.append('still red\nnext\x1b[0m line\n');
    expect(b.lines[0]?.segments).toMatchObject([{ text: 'red still red', fg: 'c1' }]);
    expect(b.lines[1]?.segments[0]).toMatchObject({ text: 'next', fg: 'c1' });
  });
});
