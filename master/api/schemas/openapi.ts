import { z } from 'zod';

/** GET /api/v2/openapi.json: this description of the API (OpenAPI 3.1). */
export const openApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
