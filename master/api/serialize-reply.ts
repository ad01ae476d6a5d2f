// Replies are written by fast-json-stringify, compiled from the route's zod schema turned into
// JSON Schema (the conversion that also produces /api/v2/openapi.json). Not zod's own encode, which
// validates every reply on every request: twice the time of the builders page (`npm run bench`
// ui-api). That the replies match the schema is checked by the OpenAPI test.
// Compiled at a route's first reply, not at start: an idle master keeps neither fast-json-stringify
// nor ~50 compiled serializers in memory for routes nobody asked (`npm run bench` intake, idle RSS).
import { createRequire } from 'node:module';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import type { Schema } from 'fast-json-stringify';
import { z } from 'zod';

type Serializer = (data: unknown) => string;
type FastJson = (schema: Schema) => Serializer;

let fastJson: FastJson | undefined;
// Required (it is CommonJS), not imported: a serializer is called synchronously.
const loadFastJson = (): FastJson => (fastJson ??= createRequire(import.meta.url)('fast-json-stringify') as FastJson);

export const serializeReply: FastifySerializerCompiler<z.ZodType> = ({ schema }) => {
  let serialize: Serializer | undefined;
  return (data) => {
    serialize ??= loadFastJson()(z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as Schema);
    return serialize(data);
  };
};
