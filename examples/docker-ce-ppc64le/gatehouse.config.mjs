// The ppc64le docker-ce build as gatehouse builders. A push to main that changes env/env.list
// starts `docker`: check env.list, fetch docker-ce-packaging at the pinned ref, build the packages
// of each distribution (4 at a time, each stored as artifacts the moment its build ends, so a later
// failure loses nothing), then the static binaries. When it succeeds, `dockertest` runs on the same
// commit: it downloads those packages from gatehouse's artifact store (a directory on the master, or
// an S3-compatible bucket: `artifacts` below), builds containerd packages (when CONTAINERD_BUILD=1),
// runs the dockertest suite per distribution (gotestsum JUnit), writes errors.txt in the original
// format, fails on any failed test or missing distribution, and only then publishes the packages to
// the shared bucket. The shell lives in the scripts beside this file.
//
// The image: vm-image/build.sh --distro debian --arch ppc64le --with docker --packages git,make \
//   --out /var/lib/gatehouse/images/docker-ce-ppc64le   (docker-ce-packaging builds in containers)
import { defineConfig } from 'gatehouse';

/** The distributions built and tested (<name>-<version>, as docker-ce-packaging names its targets). */
const DISTROS = ['debian-bookworm', 'debian-bullseye', 'ubuntu-jammy', 'ubuntu-noble', 'centos-9'];

const IMAGE = 'docker-ce-ppc64le';

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
  // The packages are artifacts, kept in the bucket (under gatehouse/, which a lifecycle rule should
  // expire) rather than on the master's disk. Leave this out to keep them in <dataDir>/artifacts.
  artifacts: {
    store: 's3',
    s3: {
      endpoint: bucketEnv.COS_ENDPOINT,
      bucket: bucketEnv.COS_BUCKET,
      region: 'us-south',
      prefix: 'gatehouse/',
      accessKeyId: bucketEnv.AWS_ACCESS_KEY_ID,
      secretAccessKey: bucketEnv.AWS_SECRET_ACCESS_KEY,
    },
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
        // The packages the docker build stored, at the same paths (packages/<distro>/…).
        { name: 'fetch-packages', download: { from: 'docker', paths: ['packages/**'] }, run: 'find packages -type f | sort' },
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
        // GATEHOUSE_RESULT is success, and says so and does nothing when no bucket is configured.
        { name: 'publish', run: './bucket.sh publish packages', env: bucketEnv, timeout: '30m' },
      ],
    },
  ],
});
