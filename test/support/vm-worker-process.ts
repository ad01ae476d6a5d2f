// A real worker process for the crash test and the Ember-CSI example test: `vite-node test/support/vm-worker-process.ts CONFIG NAME
// MASTER_URL`. It runs the same function as `gatehouse worker` and prints its log lines on stderr.
import { runWorkerFromConfig } from '../../worker/main.js';

const [config, name, master] = process.argv.slice(2);
if (!config || !name || !master) {
  console.error('usage: vm-worker-process.ts CONFIG NAME MASTER_URL');
  process.exit(2);
}
await runWorkerFromConfig({ config, name, master });
process.exit(0);
