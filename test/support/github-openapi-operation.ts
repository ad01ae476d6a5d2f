// One operation of GitHub's description as a checker: which paths it serves (from its template),
// whether a request matches it (path, query, headers, body) and whether a response does (status,
// content type, body). Validators are compiled on first use and cached for the process.
import type { ValidateFunction } from 'ajv';
import { addComponentSchema, ajvs, deref, formatErrors, loadSpec, toJsonSchema, type Json, type Operation, type Parameter, type Response } from './github-openapi.js';

export interface RequestInput {
  pathParams: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export interface CheckedRequest {
  errors: string[];
  /** Path parameters, coerced to their schema types (pull_number is a number). */
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface OperationValidator {
  readonly operationId: string;
  /** Over the URL path, a named group per path parameter. */
  readonly pathPattern: RegExp;
  checkRequest(input: RequestInput): CheckedRequest;
  /** `body` is the parsed JSON body, or undefined for an empty one. */
  checkResponse(status: number, contentType: string | undefined, body: unknown): string[];
}

/** Statuses GitHub may send from any endpoint (auth, access, rate limits, outages), checked as basic-error. */
const AMBIENT_STATUSES = new Set([401, 403, 404, 429, 500, 502, 503]);
const cache = new Map<string, OperationValidator>();

export function operationValidator(method: string, template: string): OperationValidator {
  const key = `${method.toUpperCase()} ${template}`;
  let validator = cache.get(key);
  if (!validator) cache.set(key, (validator = describeOperation(method.toLowerCase(), template)));
  return validator;
}

/** Parameters of one kind as an object schema; names not described are refused. */
function paramsSchema(params: Parameter[]): Json {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, toJsonSchema(p.schema ?? {})])),
    required: params.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

function pathPatternOf(template: string, params: Parameter[]): RegExp {
  const parts = template.split('/').map((segment) => {
    const m = /^\{(\w+)\}$/.exec(segment);
    if (!m) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    const multi = params.find((p) => p.name === m[1])?.['x-multi-segment'];
    return `(?<${m[1]}>${multi ? '.+' : '[^/]+'})`;
  });
  return new RegExp(`^${parts.join('/')}$`);
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) [value, made] = [make(), true];
    return value as T;
  };
}

function describeOperation(method: string, template: string): OperationValidator {
  const operation: Operation | undefined = loadSpec().paths[template]?.[method];
  if (!operation) throw new Error(`github-openapi: no operation ${method.toUpperCase()} ${template} in the description`);
  const params = (operation.parameters ?? []).map((p) => deref<Parameter>(p));
  const ofKind = (where: Parameter['in']) => params.filter((p) => p.in === where);
  const requestBody = operation.requestBody;
  const requestChecks = lazy(() => {
    const { body: ajv, param: coercing } = ajvs();
    const bodies = new Map<string, ValidateFunction>();
    for (const [type, media] of Object.entries(requestBody?.content ?? {})) {
      if (!media.schema) continue;
      // Stricter than GitHub: an unknown top-level body field is a typo in the client.
      const schema = toJsonSchema(media.schema) as Json;
      if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
      bodies.set(type, ajv.compile(schema));
    }
    // Unknown query parameters are refused too: GitHub ignores them, here they mean a client bug.
    return { path: coercing.compile(paramsSchema(ofKind('path'))), query: coercing.compile(paramsSchema(ofKind('query'))), bodies };
  });
  const responseChecks = new Map<number, () => { media?: ValidateFunction; hasContent: boolean }>();
  for (const [status, ref] of Object.entries(operation.responses)) {
    responseChecks.set(Number(status), lazy(() => {
      const response = deref<Response>(ref);
      const schema = response.content?.['application/json']?.schema;
      return { media: schema ? ajvs().body.compile(toJsonSchema(schema) as Json) : undefined, hasContent: Boolean(response.content) };
    }));
  }
  const basicError = lazy(() => ajvs().body.getSchema(addComponentSchema('basic-error'))!);

  return {
    operationId: operation.operationId,
    pathPattern: pathPatternOf(template, params),
    checkRequest({ pathParams, query, headers, rawBody }) {
      const checks = requestChecks();
      const errors: string[] = [];
      const pathValues: Record<string, unknown> = { ...pathParams };
      if (!checks.path(pathValues)) errors.push(...formatErrors('path', checks.path.errors));
      const queryValues: Record<string, unknown> = {};
      for (const name of new Set(query.keys())) {
        const all = query.getAll(name);
        queryValues[name] = all.length > 1 ? all : all[0];
      }
      if (!checks.query(queryValues)) errors.push(...formatErrors('query', checks.query.errors));
      for (const p of ofKind('header')) if (p.required && headers[p.name.toLowerCase()] === undefined) errors.push(`header ${p.name} is required`);
      if (!headers['user-agent']) errors.push('header User-Agent is required (GitHub refuses requests without one)');
      let body: unknown;
      if (rawBody.length > 0) {
        const contentType = String(headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const check = checks.bodies.get(contentType);
        if (!requestBody) errors.push(`body: ${operation.operationId} takes no request body`);
        else if (!check) errors.push(`header Content-Type "${contentType || '(none)'}" is not one of ${[...checks.bodies.keys()].join(', ')}`);
        else {
          try {
            body = JSON.parse(rawBody);
            if (!check(body)) errors.push(...formatErrors('body', check.errors));
          } catch {
            errors.push('body: not valid JSON');
          }
        }
      } else if (requestBody?.required) {
        errors.push(`body: ${operation.operationId} requires a request body`);
      }
      return { errors, params: pathValues, query: queryValues, body };
    },
    checkResponse(status, contentType, body) {
      const declared = responseChecks.get(status)?.();
      if (!declared && !AMBIENT_STATUSES.has(status)) return [`response: status ${status} is not described for ${operation.operationId}`];
      const check = declared ? declared.media : basicError();
      if (declared && !declared.hasContent) return body === undefined ? [] : [`response ${status}: must have no body`];
      if (body === undefined) return [`response ${status}: body missing`];
      const errors: string[] = [];
      if (!/^application\/json\b/.test(contentType ?? '')) errors.push(`response ${status}: Content-Type must be application/json, got ${contentType ?? '(none)'}`);
      if (check && !check(body)) errors.push(...formatErrors(`response ${status} body`, check.errors));
      return errors;
    },
  };
}
