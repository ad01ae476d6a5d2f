// Secrets are `{ env: 'NAME' }` in the file and strings after loading. Resolution walks the parsed
// config once, so a new secret-bearing option needs no code here.
import { formatPath } from './format-issues.js';

/** The config type with every secret reference replaced by its value (distributes over unions). */
export type Resolved<T> = T extends { env: string }
  ? keyof T extends 'env'
    ? string
    : { [K in keyof T]: Resolved<T[K]> }
  : T extends ReadonlyArray<infer U>
    ? Resolved<U>[]
    : T extends object
      ? { [K in keyof T]: Resolved<T[K]> }
      : T;

export interface ResolveResult<T> {
  value: Resolved<T>;
  /** Every secret value, for masking logs. */
  secrets: string[];
  errors: string[];
}

function isSecretRef(v: unknown): v is { env: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { env?: unknown }).env === 'string';
}

/** Where secrets are read: process.env's shape, spelled out so the published types need no @types/node. */
export type Environment = Record<string, string | undefined>;

/**
 * Replace secret references with their values from `env`. `wanted(path)` says whether a secret is
 * needed by this process (a worker host does not need the GitHub token); unwanted ones become ''.
 */
export function resolveSecrets<T>(parsed: T, env: Environment, wanted: (path: (string | number)[]) => boolean = () => true): ResolveResult<T> {
  const secrets: string[] = [];
  const errors: string[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (isSecretRef(v)) {
      if (!wanted(path)) return '';
      const value = env[v.env];
      if (value === undefined || value === '') {
        errors.push(`${formatPath(path)}: environment variable ${v.env} is not set`);
        return '';
      }
      secrets.push(value);
      return value;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    }
    return v;
  };
  const value = walk(parsed, []) as Resolved<T>;
  return { value, secrets: [...new Set(secrets)], errors };
}
