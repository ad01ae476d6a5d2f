// The worker's plain HTTP requests to the master (artifact downloads and uploads): the same
// base URL and credentials as its WebSocket.
import { WORKER_NAME_HEADER } from '../shared/protocol.js';

export interface MasterHttp {
  /** An absolute http(s) URL for a path on the master (WORKER_ARTIFACTS_PATH, WORKER_UPLOADS_PATH…). */
  url(pathname: string): URL;
  headers: Record<string, string>;
}

export function masterHttp(options: { masterUrl: string; name: string; secret: string }): MasterHttp {
  const base = new URL(options.masterUrl);
  if (base.protocol === 'ws:') base.protocol = 'http:';
  if (base.protocol === 'wss:') base.protocol = 'https:';
  // The master URL may be given with the WebSocket path, or under a prefix behind a proxy.
  const prefix = base.pathname.replace(/\/+$/, '').replace(/\/api\/worker$/, '');
  return {
    url: (pathname) => new URL(`${prefix}${pathname}`, base),
    headers: { authorization: `Bearer ${options.secret}`, [WORKER_NAME_HEADER]: options.name },
  };
}
