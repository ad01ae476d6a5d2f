import type { z } from 'zod';
import { closestKey, keysAt } from './suggest-key.js';

/** `builders[1].steps[0].timeout` from ['builders', 1, 'steps', 0, 'timeout']. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(top level)';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** zod's own wording for a type mismatch: a schema that says more has its own message. */
const isDefaultTypeMessage = (message: string) => /^Invalid input: expected .+, received .+$/.test(message);

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

/** The JSON-ish type of a value, as a config author would name it. */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function sizeLimit(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const word = issue.code === 'too_small' ? 'at least' : 'at most';
  if (issue.origin === 'string') return `expected ${word} ${bound} character${Number(bound) === 1 ? '' : 's'}`;
  if (issue.origin === 'array' || issue.origin === 'set') return `expected ${word} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
  const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `expected a number ${op} ${bound}`;
}

/** One line per problem: the key path, then what was expected and what was found. */
export function formatIssue(issue: Issue, input: unknown, schema?: Schema): string {
  const at = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  const got = describe(value);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `${at}: required (expected ${issue.expected})`;
      // A schema's own message (a secret reference) is shown without the value: it may be a secret.
      if (!isDefaultTypeMessage(issue.message)) return `${at}: ${issue.message}, got a ${typeOf(value)}`;
      return `${at}: expected ${issue.expected}, got ${typeOf(value)} ${got}`;
    case 'unrecognized_keys': {
      const allowed = schema ? keysAt(schema, issue.path) : [];
      const keys = issue.keys.map((k) => {
        const near = closestKey(k, allowed);
        return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
      });
      return `${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
    }
    case 'invalid_value':
      return `${at}: expected ${issue.values.length > 1 ? 'one of ' : ''}${issue.values.map((o) => JSON.stringify(o)).join(', ')}, got ${got}`;
    case 'invalid_union':
      return unionMessage(issue, input, schema);
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `${at}: ${issue.message}, got ${got}` : `${at}: expected ${issue.message}, got ${got}`;
    case 'too_small':
    case 'too_big':
      return `${at}: ${sizeLimit(issue)}, got ${got}`;
    case 'custom':
      return `${at}: ${issue.message}`;
    default:
      return `${at}: ${issue.message}, got ${got}`;
  }
}

/** A union's own message says little; report the branch that got furthest, at its own key. */
function unionMessage(issue: Extract<Issue, { code: 'invalid_union' }>, input: unknown, schema?: Schema): string {
  const branches = issue.errors.flat();
  const deepest = [...branches].sort((a, b) => b.path.length - a.path.length)[0];
  // A branch's issue paths are relative to the union's place.
  if (deepest && deepest.path.length > 0) return formatIssue({ ...deepest, path: [...issue.path, ...deepest.path] }, input, schema);
  const expected = branches.map((i) => (i.code === 'invalid_type' ? i.expected : i.code === 'invalid_value' ? i.values.map((v) => JSON.stringify(v)).join(' or ') : i.message));
  return `${formatPath(issue.path)}: expected ${[...new Set(expected)].join(' or ')}, got ${describe(valueAt(input, issue.path))}`;
}
