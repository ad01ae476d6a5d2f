// Typed calls to the master's REST API. URLs are relative (no leading slash) so the page also
// works when a proxy serves it under a sub-path.
import type {
  ApiArtifact, ApiBuild, ApiBuilderSummary, ApiBuildReporting, ApiDelivery, ApiForwarder, ApiInfo, ApiJunit, ApiList, ApiQueueEntry, ApiStep, ApiWorker,
} from '../../../api/schemas';
import type { ForceBody } from '../../../api/schemas/actions';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`api/v2/${path}`, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'the master cannot be reached');
  }
  const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!res.ok) throw new ApiError(res.status, body?.error ?? `HTTP ${res.status}`);
  return body as T;
}

const get = <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal });
const qs = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();

export interface BuildQuery {
  builder?: string;
  state?: string;
  result?: string;
  pr?: number;
  repo?: string;
  limit: number;
  offset: number;
}

/** A configured builder as GET /api/v2/builders lists it (no recent builds). */
export interface ApiBuilderConfig {
  name: string;
  executor: 'vm' | 'host';
  image: string | null;
  arch: string | null;
  steps: string[];
}

export const api = {
  info: (signal?: AbortSignal) => get<ApiInfo>('ui/info', signal),
  builderSummaries: (signal?: AbortSignal) => get<ApiList<'builders', ApiBuilderSummary>>('ui/builders', signal),
  builders: (signal?: AbortSignal) => get<ApiList<'builders', ApiBuilderConfig>>('builders', signal),
  builds: (q: BuildQuery, signal?: AbortSignal) => get<ApiList<'builds', ApiBuild>>(`builds?${qs({ ...q, order: '-id' })}`, signal),
  build: async (id: number, signal?: AbortSignal) => (await get<ApiList<'builds', ApiBuild>>(`builds/${id}`, signal)).builds[0] as ApiBuild,
  steps: (id: number, signal?: AbortSignal) => get<ApiList<'steps', ApiStep>>(`builds/${id}/steps`, signal),
  junit: (id: number, signal?: AbortSignal) => get<ApiJunit>(`builds/${id}/junit`, signal),
  artifacts: (id: number, signal?: AbortSignal) => get<ApiList<'artifacts', ApiArtifact>>(`builds/${id}/artifacts`, signal),
  reporting: (id: number, signal?: AbortSignal) => get<ApiBuildReporting>(`builds/${id}/reporting`, signal),
  workers: (signal?: AbortSignal) => get<ApiList<'workers', ApiWorker>>('workers', signal),
  queue: (page: { limit: number; offset: number }, signal?: AbortSignal) => get<ApiList<'buildrequests', ApiQueueEntry>>(`queue?${qs(page)}`, signal),
  deliveries: (page: { limit: number; offset: number }, signal?: AbortSignal) => get<ApiList<'deliveries', ApiDelivery>>(`deliveries?${qs(page)}`, signal),
  forwarder: (signal?: AbortSignal) => get<ApiForwarder>('forwarder', signal),
  rebuild: (builder: string, buildId: number, token: string) =>
    request<ApiList<'builds', ApiBuild>>(`builders/${encodeURIComponent(builder)}/rebuild`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-gatehouse-client': 'ui' }, body: JSON.stringify({ buildId }),
    }),
  force: (builder: string, body: ForceBody, token: string) =>
    request<ApiList<'builds', ApiBuild>>(`builders/${encodeURIComponent(builder)}/force`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-gatehouse-client': 'ui' }, body: JSON.stringify(body),
    }),
  cancel: (buildId: number, token: string) =>
    request<ApiList<'builds', ApiBuild>>(`builds/${buildId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-gatehouse-client': 'ui' } }),
};

/** Where a step's raw log is (for fetch, download links and the live tail). */
export const logUrl = (buildId: number, step: string) => `api/v2/builds/${buildId}/steps/${step}/log`;
export const artifactUrl = (buildId: number, artifactId: number) => `api/v2/builds/${buildId}/artifacts/${artifactId}`;
