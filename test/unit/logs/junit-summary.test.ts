import { describe, expect, it } from 'vitest';
import { addJunitXml, emptyJunitSummary, formatJunitCounts } from '../../../master/logs/junit-summary.js';

const parse = (xml: string, file = 'r.xml') => addJunitXml(emptyJunitSummary(), xml, file);

describe('JUnit summary', () => {
  it('counts test cases, not suite attributes (which lie here on purpose)', () => {
    const s = parse(`<testsuites tests="99" failures="0"><testsuite name="a" tests="1">
      <testcase classname="pkg.A" name="ok"/>
      <testcase classname="pkg.A" name="bad"><failure message="expected 1, got 2" type="AssertionError">Traceback
  line 3</failure></testcase>
      <testcase classname="pkg.A" name="crash"><error message="boom"/></testcase>
      <testcase classname="pkg.A" name="later"><skipped/></testcase>
    </testsuite></testsuites>`);
    expect([s.tests, s.failed, s.skipped]).toEqual([4, 2, 1]);
    expect(s.failures).toEqual([
      { kind: 'failure', suite: 'a', classname: 'pkg.A', name: 'bad', message: 'expected 1, got 2', detail: 'Traceback\n  line 3', report: 'r.xml' },
      { kind: 'error', suite: 'a', classname: 'pkg.A', name: 'crash', message: 'boom', detail: '', report: 'r.xml' },
    ]);
    expect(formatJunitCounts(s)).toBe('4 tests, 2 failed, 1 skipped');
  });

  it('reads a bare <testsuite> root and nested suites, and adds files together', () => {
    const s = parse('<testsuite name="outer"><testcase name="a"/><testsuite name="inner"><testcase name="b"><failure>first line\nsecond</failure></testcase></testsuite></testsuite>');
    addJunitXml(s, '<testsuites><testsuite name="x"><testcase name="c"/></testsuite></testsuites>', 'second.xml');
    expect([s.tests, s.failed]).toEqual([3, 1]);
    expect(s.failures[0]).toMatchObject({ suite: 'inner', name: 'b', message: 'first line' });
    expect(formatJunitCounts(s)).toBe('3 tests, 1 failed');
  });

  it("keeps a failure's source file and line: the testcase's, else its suite's file", () => {
    const s = parse(`<testsuites><testsuite name="s" file="tests/test_s.py">
      <testcase name="a" file="tests/test_a.py" line="12"><failure message="no"/></testcase>
      <testcase name="b"><failure message="no"/></testcase>
      <testcase name="c" line="x"><failure message="no"/></testcase>
    </testsuite><testsuite name="t"><testcase name="d"><error/></testcase></testsuite></testsuites>`, 'out/junit.xml');
    expect(s.failures.map((f) => [f.name, f.file, f.line, f.report])).toEqual([
      ['a', 'tests/test_a.py', 12, 'out/junit.xml'],
      ['b', 'tests/test_s.py', undefined, 'out/junit.xml'],
      ['c', 'tests/test_s.py', undefined, 'out/junit.xml'],
      ['d', undefined, undefined, 'out/junit.xml'],
    ]);
  });

  it('notes files that are not JUnit instead of throwing', () => {
    const s = parse('<html><body>not junit</body></html>', 'index.html');
    addJunitXml(s, '<testsuite><testcase name="a"', 'cut.xml');
    expect(s.tests).toBe(0);
    expect(s.unreadable).toHaveLength(2);
    expect(s.unreadable[0]).toBe('index.html: no <testsuites> or <testsuite> element');
    expect(s.unreadable[1]).toMatch(/^cut\.xml: /);
  });

  it('singular for one test', () => {
    expect(formatJunitCounts({ ...emptyJunitSummary(), tests: 1 })).toBe('1 test, 0 failed');
  });
});
