// Buildbot's list shape for the generic list API: limit, offset, order (`-id` for newest first) and
// exact-match filters on whitelisted columns, assembled into one SELECT and one COUNT.
import type { Db } from './open-database.js';

export interface ListQuery {
  limit?: number;
  offset?: number;
  order?: string;
  [filter: string]: unknown;
}

export interface ListResult<T> {
  rows: T[];
  total: number;
}

export interface ListSpec {
  /** A table, or a parenthesised SELECT. */
  table: string;
  /** Query parameter → column, for exact-match filters. */
  filters: Record<string, string>;
  /** Columns one may order by. */
  orderable: string[];
  defaultOrder: string;
}

/** A list query the spec does not allow (the API answers 400). */
export class BadQueryError extends Error {}

export function listRows<T>(db: Db, spec: ListSpec, query: ListQuery): ListResult<T> {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [param, column] of Object.entries(spec.filters)) {
    const value = query[param];
    if (value === undefined || value === '') continue;
    if (value === 'null') clauses.push(`${column} IS NULL`);
    else {
      clauses.push(`${column} = ?`);
      params.push(value);
    }
  }
  const order = query.order ?? spec.defaultOrder;
  const column = order.replace(/^-/, '');
  if (!spec.orderable.includes(column)) throw new BadQueryError(`order: expected one of ${spec.orderable.join(', ')} (prefix - for descending), got "${order}"`);
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${spec.table} ${where}`).get(...params) as { n: number }).n;
  const rows = db
    .prepare(`SELECT * FROM ${spec.table} ${where} ORDER BY ${column} ${order.startsWith('-') ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`)
    .all(...params, query.limit ?? 100, query.offset ?? 0) as T[];
  return { rows, total };
}
