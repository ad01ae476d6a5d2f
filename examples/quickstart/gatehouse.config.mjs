// The quick-start configuration: one builder on the `host` executor (no VM needed), which runs the
// repository's ./test.sh. `gatehouse up` uses this file when no --config is given; secrets left
// unset in the environment are generated and kept in the data dir (see README). The source comes
// from GATEHOUSE_CLONE_URL; with no --config, `gatehouse up` points it at a tiny local demo
// repository (make-demo-repo.sh) whose PR #1 passes and PR #2 fails: see test-ok and test-broken.
import { defineConfig } from 'gatehouse';

export default defineConfig({
  title: 'gatehouse quick start',
  http: { port: 8010, adminToken: { env: 'GATEHOUSE_ADMIN_TOKEN' } },
  dataDir: './.gatehouse',
  github: {
    repo: 'gatehouse-ci/quickstart',
    webhookSecret: { env: 'GATEHOUSE_WEBHOOK_SECRET' },
    cloneUrl: process.env.GATEHOUSE_CLONE_URL,
    trusted: { users: [], orgs: [] },
  },
  workers: [{ name: 'local', secret: { env: 'GATEHOUSE_WORKER_SECRET' }, slots: 2 }],
  builders: [
    {
      name: 'quickstart',
      executor: 'host',
      timeout: '10m',
      steps: [
        { name: 'show', run: 'cat README.md && ls -l' },
        { name: 'test', run: './test.sh', timeout: '5m' },
      ],
    },
  ],
});
