// Turn the variables of an Ember-CSI third-party CI `config` file into a gatehouse config (plain
// data, written as JSON) and the secrets it references (written to an EnvironmentFile).
//
// Keys read (the Ember-CSI guide's, plus a few optional ones, all with defaults):
//   SMEE_ID            smee.io channel id (or a full https://smee.io/... URL)
//   GH_TOKEN           GitHub token for statuses                     → secret GH_TOKEN
//   GH_EMBER_SECRET    the webhook secret agreed with Ember-CSI        → secret GH_EMBER_SECRET
//   NUM_DRIVERS        how many DRIVER_*_# groups follow (default: as many DRIVER_NAME_# as set)
//   DRIVER_NAME_#      builder name (one builder per driver)
//   DRIVER_CONFIG_#    the driver's X_CSI_BACKEND_CONFIG (JSON; holds array credentials) → secret;
//                      or a script beside the config, sourced now, that sets DRIVER_CONFIG and may
//                      set CSI_SYSTEM_FILES to a tarball (uploaded, unpacked into / in the VM)
//   PRE_RUN_#          script (a file beside the config) or command run before the tests
//   POST_RUN_#         script or command run after them, always, with the result as $1
//   NUM_WORKERS        builds at once on this host (default 1)
//   WEB_PORT           the UI and API port (default 8010)
//   GH_REPO            repository under test (default embercsi/ember-csi)
//   STATUS_CONTEXT     commit status context, {builder} replaced (default 3rdparty/{builder})
//   LOGS_REPO, LOGS_BRANCH   where logs are pushed (optional; default branch ci-logs)
//   TEST_CMD           the test command run in the VM (default below)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DEFAULT_TEST_CMD = 'tox -e functional -- --junitxml=results/junit.xml';

export interface EmberConversion {
  /** A gatehouse config as plain data; secrets are `{ env }` references. */
  config: Record<string, unknown>;
  /** Secret values by environment variable name. */
  secrets: Record<string, string>;
  /** Files beside the Ember config that builders upload (names relative to its directory). */
  uploads: string[];
  /** Files made now (a driver script's CSI_SYSTEM_FILES) to copy beside the config as `name`. */
  madeFiles: Array<{ source: string; name: string }>;
  /** Things the operator should know (defaults taken, keys ignored). */
  notes: string[];
}

export interface ConvertOptions {
  /** Directory of the Ember config: PRE_RUN/POST_RUN naming a file there are uploaded. */
  baseDir: string;
  /** Host architecture, for the test VM image (default x86_64). */
  arch?: string;
  /** Where the VM image lives (default /var/lib/gatehouse/images). */
  imageDir?: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function builderName(raw: string, index: number): string {
  const cleaned = raw.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return NAME_RE.test(cleaned) ? cleaned : `driver-${index}`;
}

function positiveInt(value: string | undefined, key: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${key}: expected a whole number, got ${JSON.stringify(value)}`);
  return n;
}

/** A file beside the config, by a plain relative name (what PRE_RUN_#, POST_RUN_#, DRIVER_CONFIG_# may name). */
function localFile(value: string, baseDir: string): string | undefined {
  const file = value.trim();
  if (file === '' || /\s/.test(file) || file.startsWith('..') || path.isAbsolute(file) || file.startsWith('{')) return undefined;
  return existsSync(path.join(baseDir, file)) ? file : undefined;
}

/**
 * A driver config is the driver's X_CSI_BACKEND_CONFIG: JSON, or the name of a script beside the
 * config that sets it. Anything else would reach every build as a broken backend config. The value
 * holds credentials, so the error names where the JSON breaks, never what it says.
 */
function checkDriverConfig(key: string, value: string, script: string | undefined): void {
  try {
    JSON.parse(value);
  } catch (error) {
    const where = /position (\d+)/.exec((error as Error).message)?.[1];
    const what = script ? `the DRIVER_CONFIG that ${script} sets is not valid JSON` : 'expected the driver\'s JSON config or the name of a script beside the config; it is neither valid JSON nor an existing file';
    throw new Error(`${key}: ${what}${where ? ` (JSON breaks at character ${Number(where) + 1})` : ''}`);
  }
}

/** Source a DRIVER_CONFIG_# script as Ember's setup did: it sets DRIVER_CONFIG, and maybe CSI_SYSTEM_FILES. */
function runDriverScript(key: string, file: string, baseDir: string): { driverConfig: string; systemFiles?: string } {
  let out: string;
  try {
    out = execFileSync('bash', ['-c', 'DRIVER_CONFIG= CSI_SYSTEM_FILES=; . "./$1" >&2 && printf "%s\\0%s" "$DRIVER_CONFIG" "$CSI_SYSTEM_FILES"', 'driver-config', file], {
      cwd: baseDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`${key}: the script ${file} failed${stderr ? `: ${stderr.slice(-500)}` : ''}`);
  }
  const [driverConfig = '', systemFiles = ''] = out.split('\0');
  if (!driverConfig) throw new Error(`${key}: the script ${file} did not set DRIVER_CONFIG`);
  if (!systemFiles) return { driverConfig };
  const tarball = path.resolve(baseDir, systemFiles);
  if (!existsSync(tarball)) throw new Error(`${key}: the script ${file} set CSI_SYSTEM_FILES to ${systemFiles}, which does not exist`);
  return { driverConfig, systemFiles: tarball };
}

/** A step for PRE_RUN_#/POST_RUN_#: upload and run a script beside the config, or run a command. */
function hookStep(name: string, value: string, baseDir: string, uploads: string[], args: string): Record<string, unknown> {
  const file = localFile(value, baseDir);
  if (file) {
    uploads.push(file);
    return { name, upload: [file], run: `chmod +x ./${file} && ./${file}${args}` };
  }
  return { name, run: value };
}

export function convertEmberConfig(vars: Record<string, string | undefined>, options: ConvertOptions): EmberConversion {
  const notes: string[] = [];
  const secrets: Record<string, string> = {};
  const uploads: string[] = [];
  const madeFiles: EmberConversion['madeFiles'] = [];
  const arch = options.arch ?? 'x86_64';
  const imageDir = options.imageDir ?? '/var/lib/gatehouse/images';

  const port = positiveInt(vars.WEB_PORT, 'WEB_PORT', 8010);
  const slots = Math.max(1, positiveInt(vars.NUM_WORKERS, 'NUM_WORKERS', 1));
  const declared = Object.keys(vars).filter((k) => /^DRIVER_NAME_\d+$/.test(k)).length;
  const numDrivers = positiveInt(vars.NUM_DRIVERS, 'NUM_DRIVERS', declared);
  if (numDrivers === 0) throw new Error('no drivers: set NUM_DRIVERS and DRIVER_NAME_1, DRIVER_CONFIG_1, ...');

  const github: Record<string, unknown> = {
    repo: vars.GH_REPO || 'embercsi/ember-csi',
    statusContext: vars.STATUS_CONTEXT || '3rdparty/{builder}',
    trusted: { orgs: ['embercsi'] },
  };
  if (vars.GH_TOKEN) {
    github.token = { env: 'GH_TOKEN' };
    secrets.GH_TOKEN = vars.GH_TOKEN;
  } else notes.push('GH_TOKEN is not set: no commit statuses will be reported until a token is configured');
  if (!vars.GH_EMBER_SECRET) throw new Error('GH_EMBER_SECRET: required (the webhook secret agreed with the Ember-CSI team)');
  github.webhookSecret = { env: 'GH_EMBER_SECRET' };
  secrets.GH_EMBER_SECRET = vars.GH_EMBER_SECRET;

  const image = `ember-csi-${arch}`;
  const builders: Record<string, unknown>[] = [];
  const names = new Set<string>();
  for (let i = 1; i <= numDrivers; i++) {
    const rawName = vars[`DRIVER_NAME_${i}`];
    if (!rawName) throw new Error(`DRIVER_NAME_${i}: required (NUM_DRIVERS is ${numDrivers})`);
    const name = builderName(rawName, i);
    if (name !== rawName) notes.push(`DRIVER_NAME_${i} "${rawName}" becomes builder "${name}"`);
    if (names.has(name)) throw new Error(`DRIVER_NAME_${i}: "${name}" is used by another driver`);
    names.add(name);
    const env: Record<string, unknown> = {};
    let driverConfig = vars[`DRIVER_CONFIG_${i}`];
    let systemFiles: string | undefined;
    const script = driverConfig ? localFile(driverConfig, options.baseDir) : undefined;
    if (driverConfig && script) {
      ({ driverConfig, systemFiles } = runDriverScript(`DRIVER_CONFIG_${i}`, script, options.baseDir));
      notes.push(`DRIVER_CONFIG_${i}: ran ${script} now; run the import again when what it sets changes`);
    }
    if (driverConfig) {
      checkDriverConfig(`DRIVER_CONFIG_${i}`, driverConfig, script);
      env.X_CSI_BACKEND_CONFIG = { env: `DRIVER_CONFIG_${i}` };
      secrets[`DRIVER_CONFIG_${i}`] = driverConfig;
    } else notes.push(`DRIVER_CONFIG_${i} is not set: builder "${name}" runs without X_CSI_BACKEND_CONFIG`);
    const steps: Record<string, unknown>[] = [{ name: 'build', run: 'docker build -t ember-csi:test .', timeout: '1h' }];
    if (systemFiles) {
      // Extra files the driver needs on the host (a Ceph cluster's ceph.conf and keyring).
      const tarball = `csi-system-files-${name}.tar`;
      madeFiles.push({ source: systemFiles, name: tarball });
      steps.push({ name: 'system-files', upload: [tarball], run: `sudo tar -C / --no-same-owner -xf ./${tarball} && rm -f ./${tarball}` });
    }
    const pre = vars[`PRE_RUN_${i}`];
    if (pre) steps.push(hookStep('pre-run', pre, options.baseDir, uploads, ''));
    steps.push({ name: 'test', run: vars.TEST_CMD || DEFAULT_TEST_CMD, timeout: '2h', junit: 'results/*.xml' });
    const post = vars[`POST_RUN_${i}`];
    if (post) steps.push({ ...hookStep('post-run', post, options.baseDir, uploads, ' "$GATEHOUSE_RESULT"'), always: true });
    builders.push({
      name,
      vm: { image, memoryMiB: 4096, cpus: 2, network: true },
      timeout: '3h',
      env,
      triggers: { comments: ['/retest', 'recheck', `recheck-${name}`] },
      steps,
    });
  }
  if (!vars.TEST_CMD) notes.push(`TEST_CMD is not set: builders run "${DEFAULT_TEST_CMD}"; edit the generated config for the real gate tests`);

  const config: Record<string, unknown> = {
    title: 'Ember-CSI third-party CI',
    // The API's actions (rebuild, cancel) need it; setup-host.sh generates it when nothing sets it.
    http: { port, adminToken: { env: 'GATEHOUSE_ADMIN_TOKEN' } },
    dataDir: '/var/lib/gatehouse',
    github,
    workers: [{ name: 'local', secret: { env: 'GATEHOUSE_WORKER_SECRET' }, slots }],
    // Built and kept current by the worker (`gatehouse images build --image NAME` to build it now): the Ember
    // scripts run docker and need LVM in the guest.
    images: { [image]: { arch, build: { with: ['docker'], packages: ['lvm2'] } } },
    vm: { imagesDir: imageDir },
    builders,
  };
  if (vars.SMEE_ID) config.smee = { url: vars.SMEE_ID.startsWith('https://') ? vars.SMEE_ID : `https://smee.io/${vars.SMEE_ID}` };
  else notes.push('SMEE_ID is not set: webhooks must reach this host directly on /change_hook/github');
  if (vars.LOGS_REPO) config.logs = { remote: vars.LOGS_REPO, branch: vars.LOGS_BRANCH || 'ci-logs' };

  const known = /^(SMEE_ID|GH_TOKEN|GH_EMBER_SECRET|NUM_DRIVERS|NUM_WORKERS|WEB_PORT|GH_REPO|STATUS_CONTEXT|LOGS_REPO|LOGS_BRANCH|TEST_CMD|(DRIVER_NAME|DRIVER_CONFIG|PRE_RUN|POST_RUN)_\d+)$/;
  const ignored = Object.keys(vars).filter((k) => !known.test(k)).sort();
  if (ignored.length > 0) notes.push(`not used: ${ignored.join(', ')}`);
  return { config, secrets, uploads: [...new Set(uploads)], madeFiles, notes };
}

/** KEY="value" lines that both systemd's EnvironmentFile and bash read back unchanged. */
export function formatEnvFile(values: Record<string, string>): string {
  const quote = (v: string) => `"${v.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  return Object.entries(values)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${quote(v)}\n`)
    .join('');
}
