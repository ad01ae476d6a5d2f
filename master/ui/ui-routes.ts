// Serves the web UI (built by Vite into dist/ui) at `/`. Hashed assets are cached for good,
// index.html never. Without built assets the master still runs: `/` says how to build them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface UiRouteOptions {
  /** The built assets (default: dist/ui of this package). */
  root?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/ui from dist/master/ui (compiled) or from master/ui (run from source by tests). */
const DEFAULT_ROOTS = [path.resolve(here, '../../ui'), path.resolve(here, '../../dist/ui')];

// Logs and PR titles are untrusted text: the page renders them as text only, and this policy
// forbids anything but the page's own scripts and styles.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function findUiRoot(root?: string): string | null {
  const candidates = root ? [root] : DEFAULT_ROOTS;
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

function notBuiltPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gatehouse: web UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328">
<h1>The web UI is not built</h1>
<p>This master runs, but its web assets are missing. Build them in the gatehouse checkout with
<code>npm run build:ui</code> (or <code>npm run build</code>; <code>npm ci</code> does it too), then reload.</p>
<p>The REST API works meanwhile: <a href="api/v2/builders">api/v2/builders</a>, <a href="api/v2/builds">api/v2/builds</a>.</p>
</body></html>`;
}

export async function uiRoutes(app: FastifyInstance, options: UiRouteOptions = {}): Promise<void> {
  const root = findUiRoot(options.root);
  const sendIndex = (reply: FastifyReply) => reply.header('content-security-policy', CSP).sendFile('index.html');

  if (!root) {
    app.log.warn({ looked: options.root ?? DEFAULT_ROOTS }, 'web UI assets not found; run `npm run build:ui`');
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(notBuiltPage()));
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per built file, found now: unknown paths fall through to the handler below.
    wildcard: false,
    index: false,
    // Cache headers are ours (below): send's own would mark index.html cacheable.
    cacheControl: false,
    setHeaders(res, file) {
      res.setHeader('x-content-type-options', 'nosniff');
      if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else res.setHeader('cache-control', 'no-cache');
    },
  });
  app.get('/', async (_req, reply) => sendIndex(reply));
  // Pages live in the hash (#/builders), so any other path a browser asks for gets the page too;
  // API and webhook paths keep their plain 404.
  app.get('/*', async (req, reply) => {
    const url = req.url.split('?')[0] ?? '';
    const html = (req.headers.accept ?? '').includes('text/html');
    if (!html || url.startsWith('/api/') || url.startsWith('/change_hook/')) return reply.callNotFound();
    return sendIndex(reply);
  });
}
