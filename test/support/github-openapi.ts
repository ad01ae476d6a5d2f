// GitHub's official REST description (@octokit/openapi), read once per process on first use (13 MB,
// about 0.2 s), and its OpenAPI 3.0 schemas converted for ajv. Only the component schemas that an
// operation in use refers to are converted and added (see github-openapi-operation.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type Json = Record<string, unknown>;
export interface Parameter { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: Json; 'x-multi-segment'?: boolean }
export interface MediaType { schema?: Json }
export interface Response { content?: Record<string, MediaType>; headers?: Record<string, { required?: boolean }> }
export interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response | { $ref: string }>;
}
interface Spec { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> }

const SCHEMA_ID = 'gh-schema:';
let spec: Spec | undefined;
let bodyAjv: Ajv | undefined;
let paramAjv: Ajv | undefined;
const addedSchemas = new Set<string>();

export function loadSpec(): Spec {
  if (!spec) {
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  }
  return spec;
}

/** The ajv for bodies, or the one that coerces parameters from their text ("7" → 7). */
export function ajvs(): { body: Ajv; param: Ajv } {
  if (!bodyAjv || !paramAjv) {
    const addFormats = addFormatsModule.default;
    // strictRequired off: some operations (checks/update) require, in an anyOf branch, properties declared beside it.
    bodyAjv = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, inlineRefs: false }));
    paramAjv = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, coerceTypes: true, inlineRefs: false }));
  }
  return { body: bodyAjv, param: paramAjv };
}

/** Follow a local `$ref` ("#/components/responses/not_found") in the description. */
export function deref<T>(node: T | { $ref: string }): T {
  if (node && typeof node === 'object' && '$ref' in node && typeof node.$ref === 'string') {
    const target = node.$ref.slice(2).split('/').reduce<unknown>((o, key) => (o as Json)[key], loadSpec());
    return deref(target as T | { $ref: string });
  }
  return node as T;
}

const DROPPED = new Set(['example', 'examples', 'discriminator', 'xml', 'externalDocs']);

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a "null" type (or an anyOf with
 * null where there is no type), annotations ajv does not know are dropped, and component refs
 * point at schemas added to ajv under `gh-schema:<name>` (added on demand, with their own refs).
 */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (DROPPED.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') {
      const name = value.replace('#/components/schemas/', '');
      addComponentSchema(name);
      out.$ref = SCHEMA_ID + name;
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (key === 'enum' || key === 'required' || key === 'default') {
      out[key] = value;
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if ((node as Json).nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/**
 * Where GitHub's description is known to be wrong, and gatehouse must handle what GitHub really
 * sends: each entry makes one property nullable, with the issue that reports it. Keep this short.
 */
const KNOWN_INACCURACIES: Array<{ schema: string; path: string[]; issue: string }> = [
  // A pull request from a deleted fork has `head.repo: null`.
  { schema: 'pull-request', path: ['properties', 'head', 'properties', 'repo'], issue: 'https://github.com/github/rest-api-description/issues/424' },
  { schema: 'pull-request-simple', path: ['properties', 'head', 'properties', 'repo'], issue: 'https://github.com/github/rest-api-description/issues/1811' },
];

function patchKnownInaccuracies(name: string, schema: Json): void {
  for (const { path } of KNOWN_INACCURACIES.filter((k) => k.schema === name)) {
    const parent = path.slice(0, -1).reduce<Json>((node, key) => node[key] as Json, schema);
    const key = path.at(-1)!;
    parent[key] = { anyOf: [parent[key], { type: 'null' }] };
  }
}

export function addComponentSchema(name: string): string {
  if (addedSchemas.has(name)) return SCHEMA_ID + name;
  addedSchemas.add(name);
  const schema = loadSpec().components.schemas?.[name];
  if (!schema) throw new Error(`github-openapi: no component schema "${name}"`);
  const converted = toJsonSchema(schema) as Json;
  patchKnownInaccuracies(name, converted);
  const { body, param } = ajvs();
  body.addSchema(converted, SCHEMA_ID + name);
  param.addSchema(converted, SCHEMA_ID + name);
  return SCHEMA_ID + name;
}

/** A copy of an example from the description's components ("commit", "status", ...). */
export function specExample<T>(name: string): T {
  const example = loadSpec().components.examples?.[name] as { value?: T } | undefined;
  if (!example?.value) throw new Error(`github-openapi: no example "${name}"`);
  return structuredClone(example.value);
}

/** One line per ajv error: where, what. */
export function formatErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${where}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}
