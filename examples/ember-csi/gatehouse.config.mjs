// The Ember-CSI third-party CI as a gatehouse config: one builder per storage driver, each testing a
// pull request of embercsi/ember-csi in a throwaway VM the way Ember's own CI does: build the
// ember-csi image, run the pre-run script, start the plugin with the driver's configuration and run
// csi-sanity against it (JUnit), then the post-run script, which always runs and is told the result.
//
// The settings below mirror Ember's `config` file (NUM_WORKERS, DRIVER_NAME_#, DRIVER_CONFIG_#);
// config.example.lvm / config.example.ceph are the same thing in Ember's own format, for
// `gatehouse import-ember-config`. Driver configurations hold credentials: they are secrets, read
// from the environment (DRIVER_CONFIG_LVM, DRIVER_CONFIG_CEPH) and masked in every log.
import { defineConfig } from 'gatehouse';

/** NUM_WORKERS: builds at once on this host. */
const NUM_WORKERS = 2;

/** DRIVER_NAME_# and DRIVER_CONFIG_# (the name of the environment variable holding the JSON). */
const DRIVERS = [
  { name: 'lvm', config: 'DRIVER_CONFIG_LVM' },
  { name: 'ceph', config: 'DRIVER_CONFIG_CEPH' },
];

const IMAGE = 'ember-csi-x86_64';

/** @param {{ name: string, config: string }} driver */
function driverBuilder(driver) {
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
      { name: 'build', run: 'docker build -t ember-csi:ci .', timeout: '1h' },
      { name: 'pre-run', upload: ['pre-run.sh', 'ember-csi.sh'], run: './pre-run.sh', timeout: '30m' },
      {
        name: 'start-plugin',
        run: './ember-csi.sh start',
        timeout: '10m',
        env: { X_CSI_BACKEND_CONFIG: { env: driver.config } },
      },
      { name: 'csi-sanity', run: './ember-csi.sh sanity', timeout: '2h', junit: 'results/*.xml' },
      {
        name: 'post-run',
        upload: ['post-run.sh'],
        run: './post-run.sh "$GATEHOUSE_RESULT"',
        always: true,
        timeout: '15m',
        artifacts: ['results/ember-csi.log', 'results/post-run-result.txt'],
      },
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
  // Relative paths are under vm.imagesDir (<dataDir>/images); vm-image/build.sh writes them.
  images: {
    [IMAGE]: { arch: 'x86_64', disk: `${IMAGE}/disk.qcow2`, kernel: `${IMAGE}/kernel`, initrd: `${IMAGE}/initrd.img` },
  },
  builders: DRIVERS.map(driverBuilder),
});
