// Buildbot's list shape: `{ "<plural>": [...], "meta": { "total": N } }` with limit, offset and
// order (`order=-id` for newest first). Filters are whitelisted columns with exact matches.
import type { Db } from '../queue/open-database.js';

export interface ListQuery {
  limit?: number;
  offset?: number;
  order?: string;
  [filter: string]: unknown;
}

export interface ListSpec {
  table: string;
  /** Query parameter → column, for exact-match filters. */
  filters: Record<string, string>;
  /** Columns one may order by. */
  orderable: string[];
  defaultOrder: string;
  /** Extra SQL condition always applied. */
  where?: string;
}

export class BadQueryError extends Error {}

export function listRows<T>(db: Db, spec: ListSpec, query: ListQuery): { rows: T[]; total: number } {
  const clauses: string[] = spec.where ? [spec.where] : [];
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
