// `gatehouse builds list`: the newest builds, filtered like GET /api/v2/builds.
import { buildList } from '../../master/api/schemas/builds.js';
import type { MasterApi } from './master-api.js';
import { ago, formatTable } from './format-table.js';
import { buildState, buildTarget } from './build-line.js';
import type { Output } from './output.js';

export interface ListOptions {
  builder?: string;
  state?: string;
  result?: string;
  pr?: string;
  limit: number;
  json?: boolean;
}

export async function listBuilds(api: MasterApi, o: ListOptions, out: Output): Promise<void> {
  const query = new URLSearchParams({ order: '-id', limit: String(o.limit) });
  for (const key of ['builder', 'state', 'result', 'pr'] as const) if (o[key] !== undefined) query.set(key, o[key] as string);
  const { builds, meta } = await api.get(`/api/v2/builds?${query}`, buildList);
  if (o.json) return out.json({ builds, meta });
  if (builds.length === 0) return out.line('no builds');
  const now = out.now();
  out.line(formatTable(['ID', 'BUILDER', '#', 'STATE', 'BUILT', 'CREATED', 'REASON'], builds.map((b) => [
    String(b.id), b.builder, String(b.number), buildState(b), buildTarget(b), ago(b.created_at, now), b.reason,
  ])));
  if (meta.total > builds.length) out.line(`(${builds.length} of ${meta.total}; --limit for more)`);
}
