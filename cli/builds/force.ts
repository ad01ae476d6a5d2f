// `gatehouse builds force <builder> <ref> [-p name=value]… [--priority n]`: build any branch, tag, sha or PR.
import { buildList } from '../../master/api/schemas/builds.js';
import type { ForceBody } from '../../master/api/schemas/actions.js';
import type { MasterApi } from './master-api.js';
import type { Output } from './output.js';
import { printQueued } from './print-queued.js';

export async function forceBuild(api: MasterApi, builder: string, ref: string, o: { property: Record<string, string>; by?: string; priority?: number; json?: boolean }, out: Output): Promise<void> {
  const body: ForceBody = {
    ref, ...(Object.keys(o.property).length > 0 ? { properties: o.property } : {}), ...(o.by ? { by: o.by } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
  };
  printQueued(await api.post(`/api/v2/builders/${encodeURIComponent(builder)}/force`, body, buildList), o, out);
}
