// Buildbot's list shape: `{ "<plural>": [...], "meta": { "total": N } }` with limit, offset and
// order (`order=-id` for newest first). Filters are whitelisted columns with exact matches; the
// stores run the query (master/store/list-rows.ts).
export const listQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    offset: { type: 'integer', minimum: 0 },
    order: { type: 'string', pattern: '^-?[a-z_]+$' },
  },
} as const;
