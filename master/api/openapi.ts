// The API's OpenAPI 3.1 description, generated from the routes' zod schemas and served at
// GET /api/v2/openapi.json. Only /api/… is described; the webhook, /healthz and the web UI's files
// are not the API.
// Written at the first request for it, not at start: @fastify/swagger (with yaml and a JSON Schema
// resolver) is most of a MiB of code an idle master would keep for nothing (`npm run bench` intake,
// idle RSS). The master notes its /api routes as they are added; the first request hands them to
// swagger on a fastify instance of its own, which only describes them, and keeps the document.
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from './errors.js';
import { serializeReply } from './serialize-reply.js';
import { openApiDocument } from './schemas/openapi.js';

type ApiRoute = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;

export interface ApiSchemas {
  /** GET /api/v2/openapi.json; registered after the other routes. */
  openApiRoute(app: FastifyInstance): Promise<void>;
}

/** Zod validates requests, fast-json-stringify writes replies from the same schemas; the /api routes are noted for the description. Call before any route is added. */
export function useApiSchemas(app: FastifyInstance): ApiSchemas {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializeReply);
  // The options themselves, not a copy: later onRoute hooks still change them (@fastify/websocket
  // hides its routes). HEAD routes are fastify's copies of GET routes, which swagger leaves out too.
  const routes: ApiRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.method !== 'HEAD') routes.push(route);
  });
  let document: Promise<unknown> | undefined;
  return {
    async openApiRoute(scope) {
      scope.withTypeProvider<ZodTypeProvider>().get('/api/v2/openapi.json', { schema: { response: { 200: openApiDocument, ...errorResponses() } } }, async () => openApiDocument.parse(await (document ??= describe(routes))));
    },
  };
}

async function describe(routes: readonly ApiRoute[]): Promise<unknown> {
  const { default: swagger } = await import('@fastify/swagger');
  const describer = Fastify();
  try {
    // Its routes never run: nothing needs validating or serializing, only describing.
    describer.setValidatorCompiler(() => () => true);
    describer.setSerializerCompiler(() => (data) => JSON.stringify(data));
    await describer.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'gatehouse', version: '2', description: "gatehouse master's REST API (Buildbot's list shape: `{ <plural>: [...], meta: { total } }`)" },
      },
      transform: jsonSchemaTransform,
    });
    for (const { method, url, schema, config } of routes) describer.route({ method, url, schema, config, exposeHeadRoute: false, handler: async () => null });
    await describer.ready();
    return describer.swagger();
  } finally {
    await describer.close();
  }
}
