// Response schemas of the UI's read endpoints (ui-read-routes.ts). They also serialize the replies
// (fast-json-stringify) and keep anything not listed here from leaking out.
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const nInt = { type: ['integer', 'null'] } as const;
const nStr = { type: ['string', 'null'] } as const;
const strs = { type: 'array', items: str } as const;
const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false }) as const;
const list = (key: string, item: unknown) => obj({ [key]: { type: 'array', items: item }, meta: obj({ total: int }) });

export const buildSchema = obj({
  id: int, builder: str, number: int, state: str, result: nStr, result_reason: nStr, reason: str, repo: str,
  pr: nInt, sha: nStr, ref: nStr, worker: nStr, cancel_requested: nStr, created_at: int, started_at: nInt, finished_at: nInt,
  image: nStr, image_version: nStr, image_used_at: nInt,
});

export const infoSchema = obj({
  title: str, repo: str, web_url: str, approve_command: str, actions: { type: 'boolean' },
  logs: { anyOf: [{ type: 'null' }, obj({ branch: str, web_url: nStr })] },
});

export const builderSummaryList = list('builders', obj({
  name: str, executor: str, image: nStr, arch: nStr, labels: strs, max_concurrent: nInt, steps: strs, state: str,
  running: int, queued: int, awaiting_approval: int, recent: { type: 'array', items: buildSchema },
  workers: { type: 'array', items: obj({ name: str, connected: { type: 'boolean' } }) },
}));

export const queueList = list('buildrequests', obj({
  id: int, builder: str, state: str, waiting: nStr, attempts: int, worker: nStr, build_id: nInt, number: int,
  repo: nStr, pr: nInt, sha: nStr, reason: nStr, created_at: int, claimed_at: nInt,
}));

export const artifactList = list('artifacts', obj({ id: int, step: str, kind: str, path: str, size: int, created_at: int }));

export const junitSchema = obj({
  tests: int, failed: int, skipped: int,
  failures: { type: 'array', items: obj({ kind: str, suite: str, classname: str, name: str, message: str, detail: str }) },
  unreadable: strs,
  files: strs,
});

export const errorSchema = obj({ error: str });
export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
export const pageQuery = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } },
  additionalProperties: false,
} as const;

export const reportingSchema = obj({
  statuses: {
    type: 'array',
    items: obj({
      transition: str, context: str, github_state: str, description: str, state: str, attempts: int,
      next_attempt_at: int, last_error: nStr, created_at: int, sent_at: nInt,
    }),
  },
  logs: { anyOf: [{ type: 'null' }, obj({ wanted: str, published: nStr, attempts: int, next_attempt_at: int, last_error: nStr, updated_at: int })] },
});
