// Hash routes: #/builders, #/builders/:name, #/builds/:id (/steps/:step, /steps/:step/L:line for a
// step's log and a line of it), #/workers, #/queue, #/deliveries. A
// query after `?` in the hash holds page state (filters, page number, open step).
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'builders' }
  | { page: 'builder'; name: string }
  | { page: 'build'; id: number; step?: string; line?: number }
  | { page: 'workers' }
  | { page: 'queue' }
  | { page: 'deliveries' }
  | { page: 'not-found'; path: string };

export interface Location {
  route: Route;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  const [first, second] = parts;
  const route: Route = (() => {
    if (parts.length === 0 || (first === 'builders' && parts.length === 1)) return { page: 'builders' };
    if (first === 'builders' && second && parts.length === 2) return { page: 'builder', name: second };
    if (first === 'builds' && second && /^\d+$/.test(second) && parts.length === 2) return { page: 'build', id: Number(second) };
    // A step's log, and a line of it: #/builds/12/steps/1.0/L250
    const [, , third, step, lineTag] = parts;
    if (first === 'builds' && second && /^\d+$/.test(second) && third === 'steps' && step && /^\d+(\.\d+)*$/.test(step) && parts.length <= 5) {
      if (lineTag === undefined) return { page: 'build', id: Number(second), step };
      if (/^L[1-9]\d*$/.test(lineTag)) return { page: 'build', id: Number(second), step, line: Number(lineTag.slice(1)) };
    }
    if (parts.length === 1 && (first === 'workers' || first === 'queue' || first === 'deliveries')) return { page: first };
    return { page: 'not-found', path };
  })();
  return { route, query };
}

export function useLocation(): Location {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return parseHash(hash);
}

const withQuery = (path: string, query?: Record<string, string | number | undefined | null>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export const href = {
  builders: () => '#/builders',
  builder: (name: string, query?: Record<string, string | number | undefined | null>) => withQuery(`#/builders/${encodeURIComponent(name)}`, query),
  build: (id: number, query?: Record<string, string | number | undefined | null>) => withQuery(`#/builds/${id}`, query),
  /** A step's log, or one line of it: the address to share. */
  step: (id: number, step: string, line?: number) => `#/builds/${id}/steps/${step}${line ? `/L${line}` : ''}`,
  workers: () => '#/workers',
  queue: () => '#/queue',
  deliveries: (query?: Record<string, string | number | undefined | null>) => withQuery('#/deliveries', query),
};

