import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, type ParsedConfig } from './schema.js';
import { formatIssue } from './format-issues.js';
import { resolveSecrets, type Environment, type Resolved } from './resolve-secrets.js';

export type Config = Resolved<ParsedConfig>;
export type BuilderConfig = Config['builders'][number];
export type StepConfig = BuilderConfig['steps'][number];
export type WorkerConfig = Config['workers'][number];

export interface LoadedConfig {
  config: Config;
  /** Every secret value in the config, for masking. */
  secrets: string[];
  /** The file it came from (absolute), or undefined for an inline object. */
  file?: string;
}

/** A config that did not validate; `problems` has one line per key. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length} problem${problems.length > 1 ? 's' : ''}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: Environment;
  /** Overrides from the command line, applied after the file. */
  overrides?: { port?: number; dataDir?: string };
  /** Resolve only the secrets this worker needs (its own), instead of all of them. */
  forWorker?: string;
  /** Resolve only the secrets at these paths (e.g. the CLI wants http.adminToken alone); the others are left as references. */
  onlySecrets?: (path: (string | number)[]) => boolean;
}

/** A JSON syntax error with its line and column (Node 20 gives only the position). */
function jsonProblem(text: string, error: Error): string {
  const message = error.message.replace(/ \(line \d+ column \d+\)$/, '');
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return `not valid JSON: ${message}`;
  const before = text.slice(0, Number(position)).split('\n');
  return `not valid JSON at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}: ${message.replace(/ in JSON at position \d+/, '')}`;
}

async function readConfigFile(file: string): Promise<unknown> {
  if (!existsSync(file)) throw new ConfigError(file, ['no such file']);
  const ext = path.extname(file);
  if (ext === '.json') {
    const text = await readFile(file, 'utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError(file, [jsonProblem(text, error as Error)]);
    }
  }
  if (!['.ts', '.mts', '.mjs', '.js', '.cjs'].includes(ext)) {
    throw new ConfigError(file, [`expected a .ts, .mjs, .js or .json file, got "${ext || 'no extension'}"`]);
  }
  // jiti loads TypeScript configs without a build step, and plain ESM as is.
  // `import { defineConfig } from 'gatehouse'` must work from a config anywhere (/etc/gatehouse),
  // where no node_modules holds gatehouse: alias it to this installation.
  const self = fileURLToPath(new URL('../config', import.meta.url));
  // Loaded only for code configs: jiti is large, and a JSON config should not pay for it.
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, alias: { gatehouse: self } });
  const mod = await jiti.import<{ default?: unknown }>(file);
  if (mod && typeof mod === 'object' && 'default' in mod) return mod.default;
  throw new ConfigError(file, ['expected a default export (export default defineConfig({...}))']);
}

/** Validate an object as a config: defaults filled in, secrets resolved, errors collected. */
export function parseConfig(input: unknown, source: string, options: LoadOptions = {}): LoadedConfig {
  const withOverrides = applyOverrides(input, options.overrides);
  const result = configSchema.safeParse(withOverrides);
  if (!result.success) {
    // Every problem in one pass: the missing environment variables of the secrets written as
    // references, beside what the schema found.
    const rawWorkers = (withOverrides as { workers?: unknown } | null)?.workers;
    const ownWorker = options.onlySecrets ?? ((p: (string | number)[]) =>
      options.forWorker === undefined || (p[0] === 'workers' && Array.isArray(rawWorkers) && (rawWorkers[p[1] as number] as { name?: unknown } | undefined)?.name === options.forWorker));
    const missing = resolveSecrets(withOverrides, options.env ?? process.env, ownWorker).errors;
    throw new ConfigError(source, [...result.error.issues.map((i) => formatIssue(i, withOverrides, configSchema)), ...missing]);
  }
  const workerIndex = options.forWorker === undefined ? -1 : result.data.workers.findIndex((w) => w.name === options.forWorker);
  if (options.forWorker !== undefined && workerIndex < 0) {
    throw new ConfigError(source, [`workers: no worker named "${options.forWorker}" (known: ${result.data.workers.map((w) => w.name).join(', ') || 'none'})`]);
  }
  const wanted = options.onlySecrets ?? ((p: (string | number)[]) => workerIndex < 0 || (p[0] === 'workers' && p[1] === workerIndex));
  const resolved = resolveSecrets(result.data, options.env ?? process.env, wanted);
  if (resolved.errors.length > 0) throw new ConfigError(source, resolved.errors);
  return { config: resolved.value, secrets: resolved.secrets };
}

function applyOverrides(input: unknown, overrides: LoadOptions['overrides']): unknown {
  if (!overrides || typeof input !== 'object' || input === null) return input;
  const out = { ...(input as Record<string, unknown>) };
  if (overrides.port !== undefined) out.http = { ...((out.http as object | undefined) ?? {}), port: overrides.port };
  if (overrides.dataDir !== undefined) out.dataDir = overrides.dataDir;
  return out;
}

/** Load, validate and resolve a config file. Relative paths in it are relative to the file. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  const input = await readConfigFile(absolute);
  const loaded = parseConfig(input, absolute, options);
  const base = path.dirname(absolute);
  if (options.overrides?.dataDir === undefined) loaded.config.dataDir = path.resolve(base, loaded.config.dataDir);
  else loaded.config.dataDir = path.resolve(loaded.config.dataDir);
  return { ...loaded, file: absolute };
}
