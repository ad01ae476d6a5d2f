// Fetches a file artifact from the master for a step's `download`, over HTTP with the worker's own
// credentials. The body is a stream: artifacts may be gigabytes (packages, static binaries).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { WORKER_ARTIFACTS_PATH } from '../shared/protocol.js';
import type { MasterHttp } from './master-http.js';

export type ArtifactFetcher = (id: number, signal: AbortSignal) => Promise<Readable>;

export function createArtifactFetcher(master: MasterHttp): ArtifactFetcher {
  return async (id, signal) => {
    const response = await fetch(master.url(`${WORKER_ARTIFACTS_PATH}/${id}`), { headers: master.headers, signal });
    if (!response.ok || !response.body) throw new Error(`artifact ${id}: the master answered ${response.status} ${(await response.text()).slice(0, 200)}`);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  };
}
