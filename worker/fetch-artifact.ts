// Fetches a file artifact from the master for a step's `download`, over HTTP with the worker's own
// credentials (the same as its WebSocket's). Artifacts are bounded (the master stores nothing larger
// than a worker's maxArtifactBytes), so the whole file is read into memory.
import { WORKER_ARTIFACTS_PATH, WORKER_NAME_HEADER } from '../shared/protocol.js';

export type ArtifactFetcher = (id: number, signal: AbortSignal) => Promise<Buffer>;

export function createArtifactFetcher(options: { masterUrl: string; name: string; secret: string }): ArtifactFetcher {
  const base = new URL(options.masterUrl);
  if (base.protocol === 'ws:') base.protocol = 'http:';
  if (base.protocol === 'wss:') base.protocol = 'https:';
  const prefix = base.pathname.replace(/\/+$/, '').replace(/\/api\/worker$/, '');
  return async (id, signal) => {
    const url = new URL(`${prefix}${WORKER_ARTIFACTS_PATH}/${id}`, base);
    const response = await fetch(url, { headers: { authorization: `Bearer ${options.secret}`, [WORKER_NAME_HEADER]: options.name }, signal });
    if (!response.ok) throw new Error(`artifact ${id}: the master answered ${response.status} ${(await response.text()).slice(0, 200)}`);
    return Buffer.from(await response.arrayBuffer());
  };
}
