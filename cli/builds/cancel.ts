// `gatehouse builds cancel <id>`: end a queued build, or ask a running one to stop.
import { buildList } from '../../master/api/schemas/builds.js';
import type { MasterApi } from './master-api.js';
import type { Output } from './output.js';
import { printQueued } from './print-queued.js';

export async function cancelBuild(api: MasterApi, id: number, o: { json?: boolean }, out: Output): Promise<void> {
  printQueued(await api.post(`/api/v2/builds/${id}/cancel`, {}, buildList), o, out);
}
