// For setup-host.sh: read a config WITHOUT resolving its secrets (the installer runs before they
// exist), validate it, and print what the installer needs to know, one fact a line, tab-separated:
//
//   port 8010 · host 0.0.0.0 · publicUrl URL · statusContext CTX · logsBranch BRANCH (or "-")
//   worker NAME · image NAME ARCH DISK · upload RELPATH (files builders upload, relative to the config)
//   imageBuild NAME ARCH BUILD.SH-FLAGS (an image the worker builds itself: its `build` section)
//   uploadOutside PATH (a file a builder uploads from outside the config's directory: used where it is)
//   sibling NAME (another file beside the config, which a code config may read when it loads: copied too)
//   hostBuilder NAME (a builder on the `host` executor: runs PR code on the host itself)
//   secret PATH ENV generate|required|config   (config: the config sets it itself when it loads)
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

/** vm-image/build.sh's flags for an image's `build` section. */
function buildFlags(build: NonNullable<ParsedConfig['images'][string]['build']>): string {
  return [
    `--distro ${build.distro}`,
    ...(build.suite ? [`--suite ${build.suite}`] : []),
    ...build.with.map((w) => `--with ${w}`),
    ...(build.packages.length ? [`--packages ${build.packages.join(',')}`] : []),
  ].join(' ');
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
  const envBefore = new Set(Object.keys(process.env));
  const raw = await loadRaw(absolute);
  // A config may compute a secret when it loads (the Ember example sources a driver script): the
  // installed services will run it the same way, so the installer need not supply it.
  const setByConfig = new Set(Object.keys(process.env).filter((k) => !envBefore.has(k)));
  if (raw === undefined) return { lines: [], problems: ['expected a default export (export default defineConfig({...}))'] };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { lines: [], problems: parsed.error.issues.map((i) => formatIssue(i, raw)) };
  const c = parsed.data;
  const lines = [
    `port\t${c.http.port}`,
    `host\t${c.http.host}`,
    `publicUrl\t${c.http.publicUrl ?? '-'}`,
    ...c.github.repos.map((r) => `repo\t${r.repo}`),
    `statusContext\t${c.github.statusContext}`,
    `logsBranch\t${c.logs?.branch ?? '-'}`,
    ...c.workers.map((w) => `worker\t${w.name}`),
    ...c.builders.filter((b) => b.executor === 'host').map((b) => `hostBuilder\t${b.name}`),
    ...Object.entries(c.images).map(([name, image]) =>
      image.build ? `imageBuild\t${name}\t${image.arch}\t${buildFlags(image.build)}` : `image\t${name}\t${image.arch}\t${image.disk}`,
    ),
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
  const uploads = new Set<string>();
  for (const pattern of patterns) {
    for (const rel of await glob(pattern, { cwd: dir, onlyFiles: true, dot: true })) {
      const inside = !rel.startsWith('../') && !path.isAbsolute(rel);
      if (inside) uploads.add(`upload\t${rel}`);
      // An absolute path stays valid: the installed config names it on this same host, nothing to copy.
      else if (path.isAbsolute(pattern)) uploads.add(`uploadOutside\t${path.resolve(dir, rel)}`);
      // A relative one reaching outside would break once the config is moved.
      else problems.push(`upload ${rel}: outside the config's directory through a relative path; the installer copies only that directory (use an absolute path, or put the file beside the config)`);
    }
  }
  lines.push(...[...uploads].sort());
  // A code config may read files beside it when it loads (the Ember example sources its driver
  // scripts): they travel with it. Only the top level, no dotfiles: not a whole tree by accident.
  if (path.extname(absolute) !== '.json') {
    const siblings = await glob('*', { cwd: dir, onlyFiles: true, dot: false });
    for (const name of siblings.sort()) if (name !== path.basename(absolute) && !uploads.has(`upload\t${name}`)) lines.push(`sibling\t${name}`);
  }
  for (const s of secretUses(raw)) lines.push(`secret\t${s.path}\t${s.env}\t${setByConfig.has(s.env) ? 'config' : s.generate ? 'generate' : 'required'}`);
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
