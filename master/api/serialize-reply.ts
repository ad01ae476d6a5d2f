// Replies are written by fast-json-stringify, compiled once per route from the route's zod schema
// turned into JSON Schema (the conversion that also produces /api/v2/openapi.json). Not zod's own
// encode, which validates every reply on every request: twice the time of the builders page
// (`npm run bench` ui-api). That the replies match the schema is checked by the OpenAPI test.
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import fastJson, { type Schema } from 'fast-json-stringify';
import { z } from 'zod';

export const serializeReply: FastifySerializerCompiler<z.ZodType> = ({ schema }) =>
  fastJson(z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as Schema);
