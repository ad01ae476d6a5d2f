import type { ZodIssue, ZodTypeAny } from 'zod';
import { closestKey, keysAt } from './suggest-key.js';

/** `builders[1].steps[0].timeout` from ['builders', 1, 'steps', 0, 'timeout']. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out || '(top level)';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** zod's own wording for a type mismatch: a schema that says more has its own message. */
const isDefaultTypeMessage = (message: string) => message === 'Required' || /^Expected .+, received .+$/.test(message);

/** One line per problem: the key path, then what was expected and what was found. */
export function formatIssue(issue: ZodIssue, input: unknown, schema?: ZodTypeAny): string {
  const at = formatPath(issue.path);
  const got = describe(issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), input));
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return `${at}: required (expected ${issue.expected})`;
      // A schema's own message (a secret reference) is shown without the value: it may be a secret.
      if (!isDefaultTypeMessage(issue.message)) return `${at}: ${issue.message}, got a ${issue.received}`;
      return `${at}: expected ${issue.expected}, got ${issue.received} ${got}`;
    case 'unrecognized_keys': {
      const allowed = schema ? keysAt(schema, issue.path) : [];
      const keys = issue.keys.map((k) => {
        const near = closestKey(k, allowed);
        return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
      });
      return `${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
    }
    case 'invalid_enum_value':
      return `${at}: expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, got ${got}`;
    case 'invalid_literal':
      return `${at}: expected ${JSON.stringify(issue.expected)}, got ${got}`;
    case 'invalid_union':
      return `${at}: ${unionMessage(issue, input, schema)}`;
    case 'invalid_string':
      return `${at}: expected ${issue.message}, got ${got}`;
    case 'too_small':
      return `${at}: ${issue.message.replace(/^(String|Number|Array) must/, 'must')}, got ${got}`;
    case 'custom':
      return `${at}: ${issue.message}`;
    default:
      return `${at}: ${issue.message}, got ${got}`;
  }
}

/** A union's own message says little; report the branch that got furthest. */
function unionMessage(issue: Extract<ZodIssue, { code: 'invalid_union' }>, input: unknown, schema?: ZodTypeAny): string {
  const branches = issue.unionErrors.map((e) => e.issues);
  const deepest = branches.flat().sort((a, b) => b.path.length - a.path.length)[0];
  if (deepest && deepest.path.length > issue.path.length) return formatIssue(deepest, input, schema).slice(formatPath(issue.path).length + 2);
  const expected = branches.flat().map((i) => (i.code === 'invalid_type' ? i.expected : i.code === 'invalid_literal' ? JSON.stringify(i.expected) : i.message));
  return `expected ${[...new Set(expected)].join(' or ')}, got ${describe(issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), input))}`;
}
