// The ppc64le docker-ce build as gatehouse builders. A push to main that changes env/env.list
// starts `docker`: check env.list, fetch docker-ce-packaging at the pinned ref, build the packages
// of each distribution (4 at a time, each stored as artifacts when its build ends), then the static
// binaries, and stage everything in the bucket. When it succeeds, `dockertest` runs on the same
// commit: containerd packages (when CONTAINERD_BUILD=1), the dockertest suite per distribution
// (gotestsum JUnit), errors.txt in the original format, a check that fails on any failed test or
// missing distribution, and only then publishing. The shell lives in the scripts beside this file.
import { defineConfig } from 'gatehouse';

/** The distributions built and tested (<name>-<version>, as docker-ce-packaging names its targets). */
const DISTROS = ['debian-bookworm', 'debian-bullseye', 'ubuntu-jammy', 'ubuntu-noble', 'centos-9'];

const IMAGE = 'debian-ppc64le';

/** Credentials of the S3-compatible bucket (IBM COS) for staging and publishing. */
const bucketEnv = {
  COS_ENDPOINT: 'https://s3.us-south.cloud-object-storage.appdomain.cloud',
  COS_BUCKET: 'docker-ce-ppc64le',
  AWS_ACCESS_KEY_ID: { env: 'COS_ACCESS_KEY_ID' },
  AWS_SECRET_ACCESS_KEY: { env: 'COS_SECRET_ACCESS_KEY' },
};

export default defineConfig({
  title: 'docker-ce for ppc64le',
  http: { port: 8010, adminToken: { env: 'GATEHOUSE_ADMIN_TOKEN' } },
  dataDir: '/var/lib/gatehouse',
  github: {
    repo: 'ppc64le-cloud/docker-ce-build',
    token: { env: 'GH_TOKEN' },
    webhookSecret: { env: 'GH_WEBHOOK_SECRET' },
    statusContext: 'ppc64le/{builder}',
  },
  workers: [{ name: 'power-host', secret: { env: 'GATEHOUSE_WORKER_SECRET' }, slots: 2 }],
  // Relative paths are under vm.imagesDir (<dataDir>/images). On a POWER host set
  // vm: { domainType: 'kvm' }; elsewhere the guest runs under TCG emulation (slow).
  images: {
    [IMAGE]: { arch: 'ppc64le', disk: `${IMAGE}/disk.qcow2`, kernel: `${IMAGE}/kernel`, initrd: `${IMAGE}/initrd.img` },
  },
  builders: [
    {
      name: 'docker',
      vm: { image: IMAGE, memoryMiB: 8192, cpus: 4, network: true },
      timeout: '8h',
      env: { DISTROS: DISTROS.join(' ') },
      triggers: { pullRequest: false, push: { branches: ['main'] }, paths: ['env/env.list'] },
      steps: [
        { name: 'check-env', upload: ['env-list.sh', 'check-env-list.sh'], run: './check-env-list.sh env/env.list' },
        { name: 'packaging', upload: ['fetch-packaging.sh'], run: './fetch-packaging.sh', timeout: '30m' },
        { name: 'build-scripts', upload: ['build-package.sh', 'build-static.sh', 'bucket.sh'] },
        {
          name: 'packages',
          maxParallel: 4,
          parallel: DISTROS.map((distro) => ({
            name: `build-${distro}`,
            run: `./build-package.sh ${distro}`,
            timeout: '3h',
            // Let the other distributions finish (and keep their packages) when one fails.
            haltOnFailure: false,
            artifacts: [`packages/${distro}/*`],
          })),
        },
        { name: 'static', run: './build-static.sh', timeout: '2h', artifacts: ['packages/static/*'] },
        { name: 'stage', run: './bucket.sh stage-push packages', env: bucketEnv, timeout: '30m' },
      ],
    },
    {
      name: 'dockertest',
      vm: { image: IMAGE, memoryMiB: 8192, cpus: 4, network: true },
      timeout: '6h',
      env: { DISTROS: DISTROS.join(' ') },
      triggers: { pullRequest: false, after: 'docker' },
      steps: [
        {
          name: 'check-env',
          upload: ['env-list.sh', 'check-env-list.sh', 'bucket.sh', 'build-containerd.sh', 'run-dockertest.sh', 'write-errors.sh', 'check-errors.sh'],
          run: './check-env-list.sh env/env.list',
        },
        { name: 'fetch-packages', run: './bucket.sh stage-pull packages', env: bucketEnv, timeout: '30m' },
        // A no-op unless env.list has CONTAINERD_BUILD=1.
        { name: 'containerd', run: `./build-containerd.sh ${DISTROS.join(' ')}`, timeout: '3h', artifacts: ['packages/containerd/**/*'] },
        {
          name: 'dockertest',
          maxParallel: 4,
          // errors.txt and the check below still run when a distribution fails.
          haltOnFailure: false,
          parallel: DISTROS.map((distro) => ({
            name: `test-${distro}`,
            run: `./run-dockertest.sh ${distro}`,
            timeout: '2h',
            haltOnFailure: false,
            junit: [`results/${distro}/*.xml`],
          })),
        },
        { name: 'errors', run: './write-errors.sh results errors.txt $DISTROS', artifacts: ['errors.txt'] },
        { name: 'check', run: './check-errors.sh errors.txt $DISTROS' },
        // Reached only when `check` passed (it halts the build); bucket.sh also refuses unless
        // GATEHOUSE_RESULT is success.
        { name: 'publish', run: './bucket.sh publish packages', env: bucketEnv, timeout: '30m' },
      ],
    },
  ],
});
