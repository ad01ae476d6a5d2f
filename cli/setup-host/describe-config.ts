// For setup-host.sh: read a config WITHOUT resolving its secrets (the installer runs before they
// exist), validate it, and print what the installer needs to know, one fact a line, tab-separated:
//
//   port 8010 · host 0.0.0.0 · publicUrl URL · statusContext CTX · logsBranch BRANCH (or "-")
//   worker NAME · image NAME ARCH DISK · upload RELPATH (files builders upload, relative to the config)
//   hostBuilder NAME (a builder on the `host` executor: runs PR code on the host itself)
//   secret PATH ENV generate|required
//   vmDomainType kvm|qemu given|default · imagesDir DIR   (when the config schema has a `vm` section)
//
// Usage: node dist/cli/setup-host/describe-config.js CONFIG. Exit 1 with one line per problem.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';
import { configSchema, type ParsedConfig } from '../../shared/config/schema.js';
import { formatIssue, formatPath } from '../../shared/config/format-issues.js';

/** Secrets the installer may generate: they only have to match between parts of this CI. */
const GENERATED = [/^github\.webhookSecret$/, /^workers\[\d+\]\.secret$/, /^http\.adminToken$/];

export interface SecretUse {
  path: string;
  env: string;
  generate: boolean;
}

/** Every `{ env }` reference in the raw config, with where it is. */
export function secretUses(raw: unknown): SecretUse[] {
  const out: SecretUse[] = [];
  const walk = (v: unknown, at: (string | number)[]): void => {
    if (Array.isArray(v)) return v.forEach((item, i) => walk(item, [...at, i]));
    if (typeof v !== 'object' || v === null) return;
    const keys = Object.keys(v);
    if (keys.length === 1 && typeof (v as { env?: unknown }).env === 'string') {
      const where = formatPath(at);
      out.push({ path: where, env: (v as { env: string }).env, generate: GENERATED.some((re) => re.test(where)) });
      return;
    }
    for (const k of keys) walk((v as Record<string, unknown>)[k], [...at, k]);
  };
  walk(raw, []);
  return out;
}

type Step = ParsedConfig['builders'][number]['steps'][number];

function uploadGlobs(steps: Step[]): string[] {
  return steps.flatMap((s) => [...(s.upload ?? []), ...uploadGlobs(s.parallel ?? [])]);
}

async function loadRaw(file: string): Promise<unknown> {
  if (path.extname(file) === '.json') {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(file, 'utf8'));
  }
  // As load-config.ts does: `import ... from 'gatehouse'` resolves to this installation.
  const self = fileURLToPath(new URL('../../shared/config', import.meta.url));
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, alias: { gatehouse: self } });
  const mod = await jiti.import<{ default?: unknown }>(file);
  return mod && typeof mod === 'object' && 'default' in mod ? mod.default : undefined;
}

export async function describeConfig(file: string): Promise<{ lines: string[]; problems: string[] }> {
  const absolute = path.resolve(file);
  const raw = await loadRaw(absolute);
  if (raw === undefined) return { lines: [], problems: ['expected a default export (export default defineConfig({...}))'] };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { lines: [], problems: parsed.error.issues.map((i) => formatIssue(i, raw)) };
  const c = parsed.data;
  const lines = [
    `port\t${c.http.port}`,
    `host\t${c.http.host}`,
    `publicUrl\t${c.http.publicUrl ?? '-'}`,
    `repo\t${c.github.repo}`,
    `statusContext\t${c.github.statusContext}`,
    `logsBranch\t${c.logs?.branch ?? '-'}`,
    ...c.workers.map((w) => `worker\t${w.name}`),
    ...c.builders.filter((b) => b.executor === 'host').map((b) => `hostBuilder\t${b.name}`),
    ...Object.entries(c.images).map(([name, image]) => `image\t${name}\t${image.arch}\t${image.disk}`),
  ];
  // The `vm` section (domain type, images dir) belongs to the VM executor's part of the schema.
  const vm = (c as { vm?: { domainType?: string; imagesDir?: string } }).vm;
  if (vm?.domainType) {
    const given = (raw as { vm?: { domainType?: unknown } }).vm?.domainType !== undefined;
    lines.push(`vmDomainType\t${vm.domainType}\t${given ? 'given' : 'default'}`);
  }
  if (vm?.imagesDir) lines.push(`imagesDir\t${vm.imagesDir}`);
  const problems: string[] = [];
  const dir = path.dirname(absolute);
  const patterns = [...new Set(c.builders.flatMap((b) => uploadGlobs(b.steps)))];
  if (patterns.length > 0) {
    for (const rel of (await glob(patterns, { cwd: dir, onlyFiles: true, dot: true })).sort()) {
      if (rel.startsWith('../') || path.isAbsolute(rel)) problems.push(`upload ${rel}: outside the config's directory; the installer copies only that directory`);
      else lines.push(`upload\t${rel}`);
    }
  }
  for (const s of secretUses(raw)) lines.push(`secret\t${s.path}\t${s.env}\t${s.generate ? 'generate' : 'required'}`);
  return { lines, problems };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: describe-config.js CONFIG');
    process.exit(2);
  }
  try {
    const { lines, problems } = await describeConfig(file);
    if (problems.length > 0) {
      console.error(`${file}: ${problems.length} problem${problems.length > 1 ? 's' : ''}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      process.exit(1);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    console.error(`${file}: ${(error as Error).message}`);
    process.exit(1);
  }
}
