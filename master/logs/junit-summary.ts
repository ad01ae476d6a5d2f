// JUnit XML → counts and failures, for the status description ("12 tests, 1 failed") and the
// README on the logs branch. Counts come from the <testcase> elements, not from the suites'
// attributes: producers disagree on those (some omit them, some count errors as failures).
import { createRequire } from 'node:module';

export interface JunitFailure {
  /** "failure" (an assertion) or "error" (the test crashed). */
  kind: 'failure' | 'error';
  suite: string;
  classname: string;
  name: string;
  message: string;
  /** The element's text (usually a stack trace), cut to MAX_DETAIL characters. */
  detail: string;
  /** The JUnit file it came from (as the worker reported its path). */
  report: string;
  /** The test's source file and line, when the report gives them (the testcase's, else its suite's, file/line attributes). */
  file?: string;
  line?: number;
}

export interface JunitSummary {
  tests: number;
  /** Failures and errors together: what "1 failed" counts. */
  failed: number;
  skipped: number;
  /** At most MAX_FAILURES of them; `failed` has the true number. */
  failures: JunitFailure[];
  /** Files that were not JUnit XML, with why. */
  unreadable: string[];
}

const MAX_FAILURES = 100;
const MAX_DETAIL = 4000;

type XmlNode = Record<string, unknown>;

const parserOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name: string) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
};

export function emptyJunitSummary(): JunitSummary {
  return { tests: 0, failed: 0, skipped: 0, failures: [], unreadable: [] };
}

const asNodes = (value: unknown): XmlNode[] =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': String(v ?? '') })) : [];
const attr = (node: XmlNode, name: string): string => String(node[`@_${name}`] ?? '');

/** Add the test cases of one JUnit XML document to `into`; a document that is not JUnit is noted in `unreadable`. */
export function addJunitXml(into: JunitSummary, xml: string, file: string): JunitSummary {
  let doc: XmlNode;
  try {
    doc = new (xmlParser())(parserOptions).parse(xml, true) as XmlNode;
  } catch (error) {
    into.unreadable.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
    return into;
  }
  const roots = [...asNodes(doc.testsuite), ...asNodes((doc.testsuites as XmlNode | undefined)?.testsuite)];
  if (roots.length === 0 && doc.testsuites === undefined) {
    into.unreadable.push(`${file}: no <testsuites> or <testsuite> element`);
    return into;
  }
  const walk = (suite: XmlNode, suiteFile: string | undefined) => {
    for (const testcase of asNodes(suite.testcase)) {
      into.tests += 1;
      const bad = [...asNodes(testcase.failure).map((n) => ['failure', n] as const), ...asNodes(testcase.error).map((n) => ['error', n] as const)];
      if (bad.length > 0) {
        into.failed += 1;
        const [kind, node] = bad[0] as (typeof bad)[number];
        if (into.failures.length < MAX_FAILURES) {
          const text = String(node['#text'] ?? '').trim();
          const source = attr(testcase, 'file') || suiteFile;
          const line = Number.parseInt(attr(testcase, 'line'), 10);
          into.failures.push({
            kind,
            suite: attr(suite, 'name'),
            classname: attr(testcase, 'classname'),
            name: attr(testcase, 'name'),
            message: attr(node, 'message') || text.split('\n')[0] || '',
            detail: text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}\n…` : text,
            report: file,
            ...(source ? { file: source } : {}),
            ...(line > 0 ? { line } : {}),
          });
        }
      } else if (testcase.skipped !== undefined) {
        into.skipped += 1;
      }
    }
    for (const child of asNodes(suite.testsuite)) walk(child, attr(child, 'file') || suiteFile);
  };
  for (const root of roots) walk(root, attr(root, 'file') || undefined);
  return into;
}

/** "12 tests, 1 failed" (and ", 2 skipped" when any were). */
// Loaded when a build has a JUnit report, not at start: the parser is ~1 MiB of the master's idle memory.
let XMLParserClass: typeof import('fast-xml-parser').XMLParser | undefined;
function xmlParser(): typeof import('fast-xml-parser').XMLParser {
  XMLParserClass ??= (createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser')).XMLParser;
  return XMLParserClass;
}

export function formatJunitCounts(s: JunitSummary): string {
  const tests = `${s.tests} test${s.tests === 1 ? '' : 's'}, ${s.failed} failed`;
  return s.skipped > 0 ? `${tests}, ${s.skipped} skipped` : tests;
}
