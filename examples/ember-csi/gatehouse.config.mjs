// The Ember-CSI third-party CI as a gatehouse config: one builder per storage driver, each testing a
// pull request of embercsi/ember-csi in a throwaway VM the way Ember's own CI does: build the
// ember-csi image from the PR, upload and run the pre-run script, start the plugin with the driver's
// configuration and run csi-sanity against it (JUnit), then the post-run script, which always runs
// and is told the result (Ember's own post-run never learns it).
//
// The settings below mirror Ember's `config` file (NUM_WORKERS, DRIVER_NAME_#, DRIVER_CONFIG_#,
// PRE_RUN_#, POST_RUN_#); config.example.lvm / config.example.ceph are the same thing in Ember's own
// format, for `gatehouse import-ember-config`. Driver configurations hold credentials: they are
// secrets, masked in every log.
import { execFileSync } from 'node:child_process';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'gatehouse';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** NUM_WORKERS: builds at once on this host. */
const NUM_WORKERS = 2;

/**
 * One entry per driver (DRIVER_NAME_#). `config` (DRIVER_CONFIG_#) is either the name of an
 * environment variable holding the driver's JSON, or `{ script }`: a local script, sourced here
 * when the config loads, that sets DRIVER_CONFIG and may make a tarball of extra files (a Ceph
 * cluster's ceph.conf and keyring) and set CSI_SYSTEM_FILES to it; the tarball is uploaded into the
 * VM and unpacked into / by the pre-run step. `preRun`/`postRun` (PRE_RUN_#/POST_RUN_#) name a file
 * beside this config (uploaded and run; post-run's gets the result as $1) or are inline shell code
 * (the result is in $GATEHOUSE_RESULT).
 */
const ALL_DRIVERS = [
  { name: 'lvm', config: 'DRIVER_CONFIG_LVM', preRun: 'pre-run.sh', postRun: 'post-run.sh' },
  // Only on a host that is a Ceph client: the script packs CEPH_ROOT/etc/ceph (default /etc/ceph).
  { name: 'ceph', config: { script: 'driver-config.ceph.sh' }, preRun: 'pre-run.sh', postRun: 'post-run.sh', needs: path.join(process.env.CEPH_ROOT || '/', 'etc/ceph') },
];

/** The drivers this host can test; one left out is said on every load (the master's journal, setup-host, check-config). */
const DRIVERS = ALL_DRIVERS.filter((d) => {
  if (!d.needs || existsSync(d.needs)) return true;
  console.warn(`examples/ember-csi: driver ${d.name} left out: ${d.needs} does not exist on this host`);
  return false;
});

const IMAGE = 'ember-csi-x86_64';

/**
 * The driver's config as a secret reference, and the system files tarball if its script made one.
 * A script's DRIVER_CONFIG is put in this process's environment as DRIVER_CONFIG_<NAME>, so it is
 * resolved and masked like any other secret.
 * @param {{ name: string, config: string | { script: string } }} driver
 */
function driverConfig(driver) {
  if (typeof driver.config === 'string') return { secret: driver.config, systemFiles: undefined };
  const script = path.resolve(HERE, driver.config.script);
  const secret = `DRIVER_CONFIG_${driver.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  let out;
  try {
    out = execFileSync('bash', ['-c', 'DRIVER_CONFIG= CSI_SYSTEM_FILES=; . "$1" >&2 && printf "%s\\0%s" "$DRIVER_CONFIG" "$CSI_SYSTEM_FILES"', 'driver-config', script], {
      cwd: HERE,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`driver ${driver.name}: ${driver.config.script} failed: ${String(error.stderr ?? error.message).trim()}`);
  }
  const [value = '', systemFiles = ''] = out.split('\0');
  if (!value) throw new Error(`driver ${driver.name}: ${driver.config.script} did not set DRIVER_CONFIG`);
  process.env[secret] = value;
  if (!systemFiles) return { secret, systemFiles: undefined };
  // Read at each dispatch, so kept while this process runs; removed when it exits.
  const file = path.resolve(HERE, systemFiles);
  process.once('exit', () => {
    rmSync(file, { force: true });
    try {
      rmdirSync(path.dirname(file)); // the script's own directory, once empty
    } catch {}
  });
  return { secret, systemFiles: file };
}

/**
 * A PRE_RUN/POST_RUN step: a file beside this config is uploaded and run, anything else runs inline.
 * @param {string} name @param {string} value @param {string} args
 */
function hook(name, value, args = '') {
  const file = path.resolve(HERE, value);
  if (!/\s/.test(value) && existsSync(file)) return { name, upload: [file], run: `bash ./${path.basename(file)}${args}` };
  return { name, run: value };
}

/** @param {(typeof ALL_DRIVERS)[number]} driver */
function driverBuilder(driver) {
  const { secret, systemFiles } = driverConfig(driver);
  const helper = path.join(HERE, 'ember-csi.sh');
  const pre = hook('pre-run', driver.preRun);
  const post = hook('post-run', driver.postRun, ' "$GATEHOUSE_RESULT"');
  return {
    name: driver.name,
    vm: { image: IMAGE, memoryMiB: 4096, cpus: 2, network: true },
    timeout: '3h',
    env: { DRIVER_NAME: driver.name },
    triggers: {
      pullRequest: { branches: ['master'] },
      comments: ['/retest', 'recheck', `recheck-${driver.name}`],
      skipTitle: ['[CI:DOCS]', '[skip ci]'],
      ignorePaths: ['docs/**', '*.md', '*.rst'],
    },
    steps: [
      // The PR's source is already in the work directory (fetched by the worker).
      { name: 'build', upload: [helper], run: 'bash ./ember-csi.sh build', timeout: '1h' },
      {
        ...pre,
        upload: [...(pre.upload ?? []), ...(systemFiles ? [systemFiles] : [])],
        env: systemFiles ? { CSI_SYSTEM_FILES: path.basename(systemFiles) } : {},
        timeout: '30m',
      },
      // The only step given the driver config (as X_CSI_BACKEND_CONFIG, which the plugin reads).
      { name: 'start-plugin', run: 'bash ./ember-csi.sh start', timeout: '10m', env: { X_CSI_BACKEND_CONFIG: { env: secret } } },
      { name: 'csi-sanity', run: 'bash ./ember-csi.sh sanity', timeout: '2h', junit: 'results/*.xml' },
      { ...post, always: true, timeout: '15m', artifacts: ['results/post-run-result.txt'] },
    ],
  };
}

export default defineConfig({
  title: 'Ember-CSI third-party CI',
  http: { port: 8010, adminToken: { env: 'GATEHOUSE_ADMIN_TOKEN' } },
  dataDir: '/var/lib/gatehouse',
  github: {
    repo: 'embercsi/ember-csi',
    token: { env: 'GH_TOKEN' },
    webhookSecret: { env: 'GH_EMBER_SECRET' },
    statusContext: '3rdparty/{builder}',
    trusted: { orgs: ['embercsi'] },
  },
  // SMEE_ID: webhooks arrive through smee.io unless this host is reachable from GitHub.
  ...(process.env.SMEE_ID ? { smee: { url: `https://smee.io/${process.env.SMEE_ID}` } } : {}),
  workers: [{ name: 'local', secret: { env: 'GATEHOUSE_WORKER_SECRET' }, slots: NUM_WORKERS }],
  // Built by the worker under vm.imagesDir (<dataDir>/images/ember-csi-x86_64/), verified, and rebuilt
  // weekly: Debian with docker and LVM, which the Ember scripts need. `gatehouse images build
  // --config <this file> --image ember-csi-x86_64` builds it now.
  images: {
    [IMAGE]: { arch: 'x86_64', build: { with: ['docker'], packages: ['lvm2'] } },
  },
  builders: DRIVERS.map(driverBuilder),
});
