// The API's OpenAPI 3.1 description, generated from the routes' zod schemas and served at
// GET /api/v2/openapi.json. Registered before any route: @fastify/swagger sees routes as they are
// added. Only /api/… is described; the webhook, /healthz and the web UI's files are not the API.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from './errors.js';
import { serializeReply } from './serialize-reply.js';
import { openApiDocument } from './schemas/openapi.js';

/** Zod validates requests, fast-json-stringify writes replies from the same schemas; swagger collects the routes. */
export async function useApiSchemas(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializeReply);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'gatehouse', version: '2', description: "gatehouse master's REST API (Buildbot's list shape: `{ <plural>: [...], meta: { total } }`)" },
    },
    transform: (route) => (route.url.startsWith('/api/') ? jsonSchemaTransform(route) : { schema: { hide: true } as never, url: route.url }),
  });
}

export async function openApiRoute(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v2/openapi.json', { schema: { response: { 200: openApiDocument, ...errorResponses() } } }, async () => openApiDocument.parse(app.swagger()));
}
