// `gatehouse builds rebuild <builder>`: run a build again (the builder's newest, a given one, or a PR's newest).
import { buildList } from '../../master/api/schemas/builds.js';
import type { MasterApi } from './master-api.js';
import type { Output } from './output.js';
import { printQueued } from './print-queued.js';

export async function rebuild(api: MasterApi, builder: string, o: { build?: number; pr?: number; json?: boolean }, out: Output): Promise<void> {
  const body = { ...(o.build !== undefined ? { buildId: o.build } : {}), ...(o.pr !== undefined ? { pr: o.pr } : {}) };
  printQueued(await api.post(`/api/v2/builders/${encodeURIComponent(builder)}/rebuild`, body, buildList), o, out);
}
